// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - the data plane: /dev/tmnetN (misc device).
 *
 * write(): whole struct tmnet_sample records.  A length that is not a
 *   multiple of the record size is rejected with EINVAL before anything is
 *   queued.  Replay mode blocks (or EAGAIN) while the queue is full and
 *   returns the bytes of the records it queued; live mode never blocks
 *   (the newest sample wins).  A record with unknown flag bits ends the
 *   write there: EINVAL if it is the first record.  The records are copied
 *   in chunks of TMNET_WRITE_CHUNK outside any lock; each chunk takes
 *   dev->qlock once.  Between chunks the writer yields (cond_resched) and
 *   a pending signal ends the write with the bytes queued so far, so a
 *   write of any size is preemptible and interruptible.
 * read(): whole struct tmnet_pred records, at least one; EINVAL for a
 *   buffer smaller than one record.  Records are consumed (one queue per
 *   device, shared by all readers) and copied straight from the ring, in
 *   at most two copy_to_user() calls.
 * poll(): EPOLLIN when records are waiting, EPOLLOUT when a sample fits.
 * open(): ENODEV until the module's init has finished (tmnet_cdev_enable):
 *   no file can outlive a failed init.
 */
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/poll.h>
#include <linux/module.h>
#include <linux/sched/signal.h>

#include "tmnet_dev.h"

#define TMNET_WRITE_CHUNK	16	/* records copied per step (on the stack) */

static_assert(TMNET_WRITE_CHUNK <= TMNET_IN_RING, "a chunk fits the input ring");

/* set once the module's init cannot fail any more */
static bool tmnet_cdev_ready;

void tmnet_cdev_enable(void)
{
	/* pairs with the acquire in tmnet_open */
	smp_store_release(&tmnet_cdev_ready, true);
}

static int tmnet_open(struct inode *inode, struct file *f)
{
	/* pairs with the release in tmnet_cdev_enable */
	if (!smp_load_acquire(&tmnet_cdev_ready))
		return -ENODEV;
	return 0;
}

static struct tmnet_dev *tmnet_file_dev(struct file *f)
{
	struct miscdevice *misc = f->private_data;

	return container_of(misc, struct tmnet_dev, misc);
}

static ssize_t tmnet_read(struct file *f, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct tmnet_dev *dev = tmnet_file_dev(f);
	const size_t sz = sizeof(struct tmnet_pred);
	u32 head, tail, n, i;
	int ret;

	if (count < sz)
		return -EINVAL;
	if (mutex_lock_interruptible(&dev->read_lock))
		return -ERESTARTSYS;
	for (;;) {
		/* pairs with the tick's release: the records up to head are written */
		head = smp_load_acquire(&dev->out_head);
		tail = dev->out_tail;
		if (head != tail)
			break;
		mutex_unlock(&dev->read_lock);
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(dev->read_wq,
					       tmnet_dev_out_avail(dev) != 0);
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&dev->read_lock))
			return -ERESTARTSYS;
	}
	n = min_t(size_t, head - tail, count / sz);
	/* the slots [tail, tail + n) are ours until the release below */
	i = 0;
	while (i < n) {
		u32 at = (tail + i) & (TMNET_OUT_RING - 1);
		u32 k = min(n - i, TMNET_OUT_RING - at);	/* up to the wrap */
		size_t left = copy_to_user(buf + i * sz, &dev->out[at], k * sz);

		if (left) {
			i += (k * sz - left) / sz;	/* whole records only */
			break;
		}
		i += k;
	}
	/* the tick may reuse the slots only after this release */
	smp_store_release(&dev->out_tail, tail + i);
	atomic64_add(i, &dev->out_read);
	mutex_unlock(&dev->read_lock);
	return i ? (ssize_t)(i * sz) : -EFAULT;
}

static ssize_t tmnet_write(struct file *f, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct tmnet_dev *dev = tmnet_file_dev(f);
	struct tmnet_sample chunk[TMNET_WRITE_CHUNK];
	const size_t sz = sizeof(struct tmnet_sample);
	size_t n, done = 0;
	unsigned long flags;
	u32 c, k, i;
	bool bad;
	int ret;

	if (count % sz)
		return -EINVAL;
	n = count / sz;
	while (done < n) {
		if (done) {
			/* bounded work per step: yield, and stop on a signal */
			cond_resched();
			if (signal_pending(current))
				return done * sz;
		}
		c = min_t(size_t, n - done, TMNET_WRITE_CHUNK);
		if (copy_from_user(chunk, buf + done * sz, c * sz))
			return done ? (ssize_t)(done * sz) : -EFAULT;
		bad = false;
		for (i = 0; i < c && !bad; i++)
			bad = chunk[i].flags & ~TMNET_SAMPLE_FLAGS_ALL;
		if (bad) {
			raw_spin_lock_irqsave(&dev->qlock, flags);
			dev->q_rejected++;
			raw_spin_unlock_irqrestore(&dev->qlock, flags);
			c = i - 1;	/* queue the good records before it */
		}
		k = 0;
		while (k < c) {
			k += tmnet_dev_enqueue(dev, chunk + k, c - k);
			if (k == c)
				break;
			/* replay mode, queue full: return what fitted */
			if (done + k)
				return (done + k) * sz;
			if (f->f_flags & O_NONBLOCK)
				return -EAGAIN;
			ret = wait_event_interruptible(dev->write_wq,
						       tmnet_dev_in_space(dev) != 0);
			if (ret)
				return ret;
		}
		done += c;
		if (bad)
			return done ? (ssize_t)(done * sz) : -EINVAL;
	}
	return done * sz;
}

static __poll_t tmnet_poll(struct file *f, poll_table *wait)
{
	struct tmnet_dev *dev = tmnet_file_dev(f);
	__poll_t mask = 0;

	poll_wait(f, &dev->read_wq, wait);
	poll_wait(f, &dev->write_wq, wait);
	if (tmnet_dev_out_avail(dev))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (tmnet_dev_in_space(dev))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static const struct file_operations tmnet_fops = {
	.owner = THIS_MODULE,
	.open = tmnet_open,
	.read = tmnet_read,
	.write = tmnet_write,
	.poll = tmnet_poll,
	.llseek = noop_llseek,
};

int tmnet_cdev_register(struct tmnet_dev *dev)
{
	int ret;

	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.fops = &tmnet_fops;
	dev->misc.mode = 0600;
	ret = misc_register(&dev->misc);
	dev->misc_registered = !ret;
	return ret;
}

/* Also for a device whose registration failed or never happened */
void tmnet_cdev_unregister(struct tmnet_dev *dev)
{
	if (!dev->misc_registered)
		return;
	misc_deregister(&dev->misc);
	dev->misc_registered = false;
}
