// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - the data plane: /dev/tmnetN (misc device).
 *
 * write(): whole struct tmnet_sample records.  A length that is not a
 *   multiple of the record size is rejected with EINVAL before anything is
 *   queued.  Replay mode blocks (or EAGAIN) while the queue is full and
 *   returns the bytes of the records it queued; live mode never blocks
 *   (the newest sample wins).  A record with unknown flag bits ends the
 *   write there: EINVAL if it is the first record.
 * read(): whole struct tmnet_pred records, at least one; EINVAL for a
 *   buffer smaller than one record.  Records are consumed (one queue per
 *   device, shared by all readers).
 * poll(): EPOLLIN when records are waiting, EPOLLOUT when a sample fits.
 */
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/poll.h>
#include <linux/module.h>
#include <linux/sched/signal.h>

#include "tmnet_dev.h"

#define TMNET_WRITE_CHUNK	16	/* records copied per step (on the stack) */

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
	for (i = 0; i < n; i++) {
		const struct tmnet_pred *rec = &dev->out[(tail + i) &
							(TMNET_OUT_RING - 1)];

		if (copy_to_user(buf + i * sz, rec, sz))
			break;
	}
	/* the tick may reuse the slots only after this release */
	smp_store_release(&dev->out_tail, tail + i);
	dev->out_read += i;
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
	.read = tmnet_read,
	.write = tmnet_write,
	.poll = tmnet_poll,
	.llseek = noop_llseek,
};

int tmnet_cdev_register(struct tmnet_dev *dev)
{
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.fops = &tmnet_fops;
	dev->misc.mode = 0600;
	return misc_register(&dev->misc);
}

void tmnet_cdev_unregister(struct tmnet_dev *dev)
{
	misc_deregister(&dev->misc);
}
