// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - debugfs: /sys/kernel/debug/tmnet/<dev>/
 *
 *   stats       counters, one "name value" pair per line
 *   latency     per-stage count, mean, P50/P90/P99/P99.9 and max (ns)
 *   histogram   raw non-empty buckets: stage, bucket, lo_ns, hi_ns, count
 *   model       the loaded model's header and the last load error
 *   config      the effective configuration (read); commands (write):
 *               start | stop | flush | reset_state | unload | unpin |
 *               mode N | source replay|live | rate N | cpu N |
 *               eps Q16 | budget N | chi2 Q16
 *   load_model  write a whole .tmn blob in one write() (test hook)
 *   reset       write anything: clear counters and histograms
 *   fault_stale, fault_corrupt_net, fail_next_load   fault knobs (bool)
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/kernel.h>

#include "tmnet_dev.h"

static struct dentry *tmnet_dbg_root;

static const char *const tmnet_reason_names[__TMNET_REASON_MAX] = {
	[TMNET_REASON_OK] = "ok",
	[TMNET_REASON_CHI2] = "chi2",
	[TMNET_REASON_BUDGET] = "budget",
	[TMNET_REASON_CERT] = "cert",
	[TMNET_REASON_NO_MODEL] = "no_model",
	[TMNET_REASON_STALE] = "stale",
	[TMNET_REASON_SATURATION] = "saturation",
};

static const char *const tmnet_system_names[__TMNET_SYS_MAX] = {
	[TMNET_SYS_PRIOR] = "prior",
	[TMNET_SYS_A] = "A",
	[TMNET_SYS_B] = "B",
};

static const char *tmnet_sys_name(u32 sys)
{
	return sys < __TMNET_SYS_MAX ? tmnet_system_names[sys] : "?";
}

static int stats_show(struct seq_file *m, void *v)
{
	struct tmnet_dev *dev = m->private;
	struct tmnet_dev_stats *s;
	unsigned int r;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	tmnet_dev_stats(dev, s);
	seq_printf(m, "device %s\n", dev->name);
	seq_printf(m, "running %u\n", s->running);
	seq_printf(m, "model_gen %u\n", s->model_gen);
	seq_printf(m, "mode %u\n", s->mode);
	seq_printf(m, "source %s\n", s->source == TMNET_SRC_LIVE ? "live" : "replay");
	seq_printf(m, "rate_hz %u\n", s->rate_hz);
	seq_printf(m, "cpu %d\n", s->cpu);
	seq_printf(m, "ticks %llu\n", s->core.ticks);
	seq_printf(m, "overruns %llu\n", s->dev.overruns);
	seq_printf(m, "samples_in %llu\n", s->dev.samples_in);
	seq_printf(m, "samples_rejected %llu\n", s->dev.samples_rejected);
	seq_printf(m, "samples_ingested %llu\n", s->core.samples);
	seq_printf(m, "dropped %llu\n", s->dev.dropped);
	seq_printf(m, "missing %llu\n", s->core.missing);
	seq_printf(m, "no_sample %llu\n", s->dev.no_sample);
	seq_printf(m, "gate_pass %llu\n", s->core.gate_pass);
	for (r = 1; r < __TMNET_REASON_MAX; r++)
		seq_printf(m, "gate_fail_%s %llu\n", tmnet_reason_names[r],
			   s->core.gate_fail[r]);
	seq_printf(m, "fallbacks %llu\n", s->core.fallbacks);
	/* TMNET_FUSE_MONITOR: passes published as a blend, the prior's mean weight */
	seq_printf(m, "blend %llu\n", s->core.blend);
	seq_printf(m, "blend_w_mean_q16 %llu\n",
		   s->core.blend ? div64_u64(s->core.blend_w_sum_q16, s->core.blend) : 0);
	seq_printf(m, "mon_stored %llu\n", s->core.mon_stored);
	seq_printf(m, "mon_resolved %llu\n", s->core.mon_resolved);
	seq_printf(m, "mon_dropped %llu\n", s->core.mon_dropped);
	seq_printf(m, "cert_n %llu\n", s->core.cert_n);
	seq_printf(m, "cert_mean_q16 %llu\n",
		   s->core.cert_n ? div64_u64(s->core.cert_sum_q16, s->core.cert_n) : 0);
	seq_printf(m, "cert_max_q16 %u\n", s->core.cert_max_q16);
	seq_printf(m, "sat_input %llu\n", s->core.sat_input);
	seq_printf(m, "sat_act %llu\n", s->core.sat_act);
	seq_printf(m, "sat_out %llu\n", s->core.sat_out);
	seq_printf(m, "out_records %llu\n", s->dev.out_records);
	seq_printf(m, "out_overflow %llu\n", s->dev.out_overflow);
	seq_printf(m, "out_read %llu\n", s->dev.out_read);
	seq_printf(m, "in_ring %u\n", TMNET_IN_RING);
	seq_printf(m, "out_ring %u\n", TMNET_OUT_RING);
	seq_printf(m, "in_queued %u\n", s->in_queued);
	seq_printf(m, "out_queued %u\n", s->out_queued);
	seq_printf(m, "model_loads %llu\n", s->dev.model_loads);
	seq_printf(m, "model_load_errors %llu\n", s->dev.model_load_errors);
	seq_printf(m, "unpinned %llu\n", s->dev.unpinned);
	seq_printf(m, "offcpu_ticks %llu\n", s->dev.offcpu_ticks);
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int latency_show(struct seq_file *m, void *v)
{
	struct tmnet_dev *dev = m->private;
	struct tmnet_dev_stats *s;
	unsigned int i;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	tmnet_dev_stats(dev, s);
	seq_printf(m, "%-9s %10s %9s %9s %9s %9s %9s %9s\n", "stage(ns)", "count",
		   "mean", "p50", "p90", "p99", "p99.9", "max");
	for (i = 0; i < TMNET_N_STAGES; i++) {
		const struct tmnet_pct *p = &s->stage[i];

		seq_printf(m, "%-9s %10llu %9llu %9llu %9llu %9llu %9llu %9llu\n",
			   tmnet_stage_names[i], p->count, p->mean_ns, p->p50_ns,
			   p->p90_ns, p->p99_ns, p->p999_ns, p->max_ns);
	}
	seq_printf(m, "overruns %llu\n", s->dev.overruns);
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(latency);

static int histogram_show(struct seq_file *m, void *v)
{
	struct tmnet_dev *dev = m->private;
	struct tmnet_hist *h;
	unsigned int st, b;
	u64 lo, hi;

	h = kvmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	seq_puts(m, "# stage bucket lo_ns hi_ns count\n");
	for (st = 0; st < TMNET_N_STAGES; st++) {
		tmnet_dev_histogram(dev, st, h);
		for (b = 0; b < TMNET_HIST_BUCKETS; b++) {
			if (!h->bucket[b])
				continue;
			tmnet_hist_bucket_range(b, &lo, &hi);
			seq_printf(m, "%s %u %llu %llu %llu\n", tmnet_stage_names[st],
				   b, lo, hi, h->bucket[b]);
		}
	}
	kvfree(h);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(histogram);

static int model_show(struct seq_file *m, void *v)
{
	struct tmnet_dev *dev = m->private;
	struct tm_model *md;
	u32 gen;

	md = kvmalloc(sizeof(*md), GFP_KERNEL);
	if (!md)
		return -ENOMEM;
	gen = tmnet_dev_model_info(dev, md);
	seq_printf(m, "generation %u\n", gen);
	seq_printf(m, "name %.*s\n", TMNET_NAME_LEN, md->name);
	seq_printf(m, "system %s\n", tmnet_sys_name(md->system));
	seq_printf(m, "features %u\n", md->n_feat);
	seq_printf(m, "hidden %u\n", md->hidden);
	seq_printf(m, "rate_hz %u\n", md->rate_hz);
	seq_printf(m, "window_ticks %u\n", md->window_ticks);
	seq_printf(m, "horizon_ticks %u\n", md->horizon_ticks);
	seq_printf(m, "crc32 0x%08x\n", md->crc32);
	seq_printf(m, "kalman_qa_q32 %lld %lld %lld\n", md->kalman.qa_xx,
		   md->kalman.qa_xy, md->kalman.qa_yy);
	seq_printf(m, "kalman_r_q32 %lld %lld\n", md->kalman.r_x, md->kalman.r_y);
	seq_printf(m, "kalman_stale_ticks %u\n", md->kalman.stale_ticks);
	seq_printf(m, "prior %s\n", md->ext.prior_kind == TMNET_PRIOR_DV ? "dv" : "cv");
	if (md->ext.prior_kind == TMNET_PRIOR_DV)
		seq_printf(m, "prior_tau_q32 %lld\n", md->ext.tau_q32);
	seq_printf(m, "prior_hcov_scale_q16 %u\n", md->ext.hcov_scale_q16);
	seq_printf(m, "gate_eps_q16 %u\n", md->gate.eps_q16);
	seq_printf(m, "gate_budget %u\n", md->gate.budget);
	seq_printf(m, "gate_chi2_q16 %u\n", md->gate.chi2_q16);
	seq_printf(m, "gate_cov_scale_q16 %u\n", md->gate.cov_scale_q16);
	seq_printf(m, "gate_sat_limit %u\n", md->gate.sat_limit);
	seq_printf(m, "fuse %s\n", md->ext.fuse_kind == TMNET_FUSE_MONITOR ? "monitor" : "gate");
	if (md->ext.fuse_kind == TMNET_FUSE_MONITOR) {
		seq_printf(m, "mon_shift %u\n", md->ext.mon_shift);
		seq_printf(m, "mon_stride %u\n", md->ext.mon_stride);
		seq_printf(m, "mon_init_q32 %lld %lld %lld\n",
			   (s64)md->ext.reserved[TMNET_MON_INIT_PP],
			   (s64)md->ext.reserved[TMNET_MON_INIT_NN],
			   (s64)md->ext.reserved[TMNET_MON_INIT_PN]);
	}
	mutex_lock(&dev->lock);
	seq_printf(m, "last_error %s\n", dev->last_err[0] ? dev->last_err : "none");
	mutex_unlock(&dev->lock);
	kvfree(md);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(model);

static int config_show(struct seq_file *m, void *v)
{
	struct tmnet_dev *dev = m->private;
	struct tmnet_config c;

	tmnet_dev_get_config(dev, &c);
	seq_printf(m, "running %d\n", tmnet_dev_running(dev));
	seq_printf(m, "mode %u\n", c.mode);
	seq_printf(m, "source %s\n", c.source == TMNET_SRC_LIVE ? "live" : "replay");
	seq_printf(m, "rate_hz %u\n", c.rate_hz);
	seq_printf(m, "cpu %d\n", c.cpu);
	seq_printf(m, "eps_q16 %u\n", c.eps_q16);
	seq_printf(m, "budget %u\n", c.budget);
	seq_printf(m, "chi2_q16 %u\n", c.chi2_q16);
	seq_printf(m, "pinned 0x%x\n", c.set);
	return 0;
}

static int config_open(struct inode *inode, struct file *f)
{
	return single_open(f, config_show, inode->i_private);
}

static int tmnet_config_cmd(struct tmnet_dev *dev, char *line)
{
	static const struct {
		const char *name;
		u32 bit;
	} fields[] = {
		{ "mode", TMNET_CFG_MODE }, { "rate", TMNET_CFG_RATE },
		{ "eps", TMNET_CFG_EPS }, { "budget", TMNET_CFG_BUDGET },
		{ "chi2", TMNET_CFG_CHI2 }, { "cpu", TMNET_CFG_CPU },
	};
	struct tmnet_config c = { 0 };
	struct tmnet_err err = { 0 };
	char *cmd, *arg;
	unsigned int i;
	int ret;
	s32 val;

	line = strim(line);
	cmd = strsep(&line, " \t");
	arg = line ? strim(line) : NULL;
	if (!strcmp(cmd, "start")) {
		ret = tmnet_dev_start(dev, &err);
		goto out;
	}
	if (!strcmp(cmd, "stop")) {
		tmnet_dev_stop(dev);
		return 0;
	}
	if (!strcmp(cmd, "flush")) {
		tmnet_dev_flush(dev);
		return 0;
	}
	if (!strcmp(cmd, "reset_state"))
		return tmnet_dev_reset_state(dev);
	if (!strcmp(cmd, "unload"))
		return tmnet_dev_unload_model(dev);
	if (!strcmp(cmd, "unpin")) {
		c.clear = TMNET_CFG_FROM_MODEL;
		ret = tmnet_dev_set_config(dev, &c, &err);
		goto out;
	}
	if (!strcmp(cmd, "source") && arg) {
		c.set = TMNET_CFG_SOURCE;
		if (!strcmp(arg, "replay"))
			c.source = TMNET_SRC_REPLAY;
		else if (!strcmp(arg, "live"))
			c.source = TMNET_SRC_LIVE;
		else
			return -EINVAL;
		ret = tmnet_dev_set_config(dev, &c, &err);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(cmd, fields[i].name))
			continue;
		if (!arg || kstrtos32(arg, 0, &val))
			return -EINVAL;
		c.set = fields[i].bit;
		c.mode = val;
		c.rate_hz = val;
		c.eps_q16 = val;
		c.budget = val;
		c.chi2_q16 = val;
		c.cpu = val;
		ret = tmnet_dev_set_config(dev, &c, &err);
		goto out;
	}
	pr_info("%s: config: unknown command '%s'\n", dev->name, cmd);
	return -EINVAL;
out:
	if (ret && err.msg)
		pr_info("%s: config %s: %s\n", dev->name, cmd, err.msg);
	return ret;
}

static ssize_t config_write(struct file *f, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct seq_file *m = f->private_data;
	char buf[64];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = tmnet_config_cmd(m->private, buf);
	return ret ? ret : count;
}

static const struct file_operations config_fops = {
	.owner = THIS_MODULE,
	.open = config_open,
	.read = seq_read,
	.write = config_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static ssize_t load_model_write(struct file *f, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct tmnet_dev *dev = f->private_data;
	struct tmnet_err err = { 0 };
	void *blob;
	int ret;

	if (*ppos) {
		pr_info("%s: load_model: write the whole blob in one write()\n",
			dev->name);
		return -EINVAL;
	}
	if (count > TMNET_BLOB_MAX_SIZE)
		return -E2BIG;
	blob = vmemdup_user(ubuf, count);
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	ret = tmnet_dev_load_model(dev, blob, count, &err);
	kvfree(blob);
	if (ret) {
		pr_info("%s: model load failed: %s\n", dev->name,
			err.msg ? err.msg : "error");
		return ret;
	}
	*ppos += count;
	return count;
}

static const struct file_operations load_model_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = load_model_write,
	.llseek = noop_llseek,
};

static ssize_t reset_write(struct file *f, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	tmnet_dev_reset_stats(f->private_data);
	return count;
}

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = reset_write,
	.llseek = noop_llseek,
};

void tmnet_debugfs_dev_add(struct tmnet_dev *dev)
{
	struct dentry *d = debugfs_create_dir(dev->name, tmnet_dbg_root);

	dev->dbg = d;
	debugfs_create_file("stats", 0400, d, dev, &stats_fops);
	debugfs_create_file("latency", 0400, d, dev, &latency_fops);
	debugfs_create_file("histogram", 0400, d, dev, &histogram_fops);
	debugfs_create_file("model", 0400, d, dev, &model_fops);
	debugfs_create_file("config", 0600, d, dev, &config_fops);
	debugfs_create_file("load_model", 0200, d, dev, &load_model_fops);
	debugfs_create_file("reset", 0200, d, dev, &reset_fops);
	debugfs_create_bool("fault_stale", 0600, d, &dev->fault_stale);
	debugfs_create_bool("fault_corrupt_net", 0600, d, &dev->fault_corrupt_net);
	debugfs_create_bool("fail_next_load", 0600, d, &dev->fault_fail_load);
}

void tmnet_debugfs_dev_del(struct tmnet_dev *dev)
{
	debugfs_remove_recursive(dev->dbg);
	dev->dbg = NULL;
}

void tmnet_debugfs_init(void)
{
	tmnet_dbg_root = debugfs_create_dir("tmnet", NULL);
}

void tmnet_debugfs_exit(void)
{
	debugfs_remove_recursive(tmnet_dbg_root);
}
