// SPDX-License-Identifier: GPL-2.0
/*
 * Training loop.
 *
 * Windows: `window` ticks (default 256 = 128 ms) starting every `stride`
 * ticks of the training part; the gradient flows back through the whole
 * window (truncated BPTT over 256 ticks).  The kernel runs the same GRU tick
 * by tick forever, so a window must not start from a state the kernel never
 * has: each window starts from a carried (stored) state, the hidden state
 * that the overlapping previous window of the pool reached at this window's
 * first tick the last time it was trained (R2D2's "stored state"; zero until
 * then), and its first `burn` ticks carry no loss (burn-in) so that a stale
 * stored state can settle.  Validation streams the val part as contiguous
 * chunks with the state carried across windows, and `tmnet eval --float`
 * prints zero-state windows, carried-state chunks and true tick-by-tick
 * streaming side by side.
 *
 * Loss: MSE of the normalised target (or, with cfg.huber > 0, the pseudo-Huber
 * loss of its Euclidean error; see tmn_gru.h) + smooth * mean ||yhat_t - yhat_{t-1}||^2
 * (the change of the prediction between consecutive ticks), Adam, global
 * gradient-norm clipping, early stopping on the validation MSE.
 *
 * Active selection (cfg.active): after each epoch every window trained in it
 * has a current error (its loss).  The highest-error windows seed a
 * personalised PageRank on the kNN graph (k = knn_k) of window embeddings,
 * computed by forward push with threshold push_eps; the next epoch samples
 * `budget` windows with probability
 *     w_i = mix * ppr_i / sum(ppr) + (1 - mix) / n_pool.
 * Uniform selection draws `budget` windows uniformly at random instead.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmn_active.h"
#include "tmn_train.h"

void openblas_set_num_threads(int num_threads);

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int fail(char *err, int errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, int errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, (size_t)errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void tmn_train_default(struct tmn_train_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->system = TMNET_SYS_B;
	c->hidden = 32;
	c->epochs = 15;
	c->batch = 256;
	c->window = TMNET_DEFAULT_WINDOW_TICKS;
	c->burn = 64;
	c->stride = 128;
	c->patience = 5;
	c->threads = 2;
	c->lr = 1e-3;
	c->clip = 1.0;
	c->smooth = 0.1;
	c->huber = 0;
	c->head_gain = 8.0;
	c->seed = 1;
	c->knn_k = 15;
	c->push_eps = 0.03;
	c->push_alpha = 0.15;
	c->active_mix = 0.7;
}

/* ---- batches ---------------------------------------------------------- */

struct job {
	const struct tmn_gru *g;
	const struct tmn_xy *xy;
	const size_t *starts;
	int nb, T, burn;
	struct tmn_gru_ws *ws;
	float *x, *y;
	uint8_t *m;
	float *grad;
	const float *h0;
	const float *w;
	const uint8_t *score;	/* [nb] 0: the window is warm-up only (NULL: all scored) */
	int use_grad;
	double *per_seq;
	double smooth, norm_n, norm_pairs, huber;
	double sse, cnt;
};

static void gather(struct job *j)
{
	const int F = j->xy->F, T = j->T, B = j->nb;

	for (int t = 0; t < T; t++)
		for (int b = 0; b < B; b++) {
			size_t src = j->starts[b] + (size_t)t, dst = (size_t)t * B + b;

			memcpy(j->x + dst * F, j->xy->x + src * F, (size_t)F * sizeof(float));
			j->y[2 * dst] = j->xy->y[2 * src];
			j->y[2 * dst + 1] = j->xy->y[2 * src + 1];
			j->m[dst] = t >= j->burn && j->xy->m[src] && (!j->score || j->score[b]);
		}
}

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct tmn_batch bt = { j->T, j->nb, j->x, j->y, j->m, j->h0, j->w, j->huber };

	gather(j);
	if (j->use_grad)
		memset(j->grad, 0, j->g->np * sizeof(float));
	tmn_gru_run(j->g, &bt, j->ws, j->smooth, j->norm_n, j->norm_pairs,
		    j->use_grad ? j->grad : NULL, &j->sse,
		    &j->cnt, NULL, j->per_seq);
	return NULL;
}

struct pool {
	int nt, T, Bmax, F;
	double huber;		/* training loss (struct tmn_batch); 0 = MSE */
	struct job jobs[8];
};

static int pool_init(struct pool *p, const struct tmn_gru *g, int threads, int T, int B)
{
	int per;

	memset(p, 0, sizeof(*p));
	if (threads < 1)
		threads = 1;
	if (threads > 8)
		threads = 8;
	p->nt = threads;
	p->T = T;
	p->Bmax = B;
	p->F = g->F;
	per = (B + threads - 1) / threads;
	for (int i = 0; i < threads; i++) {
		struct job *j = &p->jobs[i];

		j->ws = tmn_gru_ws_new(g->F, g->H, T, per);
		j->x = malloc((size_t)T * per * g->F * sizeof(float));
		j->y = malloc((size_t)T * per * 2 * sizeof(float));
		j->m = malloc((size_t)T * per);
		j->grad = malloc(g->np * sizeof(float));
		j->per_seq = malloc((size_t)per * sizeof(double));
		if (!j->ws || !j->x || !j->y || !j->m || !j->grad || !j->per_seq)
			return -1;
	}
	return 0;
}

static void pool_free(struct pool *p)
{
	for (int i = 0; i < p->nt; i++) {
		struct job *j = &p->jobs[i];

		tmn_gru_ws_free(j->ws);
		free(j->x);
		free(j->y);
		free(j->m);
		free(j->grad);
		free(j->per_seq);
	}
}

/*
 * One batch of nb windows: forward (+ backward when grad_sum != NULL).
 * per_win (may be NULL) receives each window's mean squared error.
 */
static void pool_batch(struct pool *p, const struct tmn_gru *g, const struct tmn_xy *xy,
		       const size_t *starts, int nb, int burn, double smooth, float *grad_sum,
		       double *sse, double *cnt, double *per_win, const float *h0, int save_t,
		       float *h_out, const float *w, const uint8_t *score)
{
	pthread_t th[8];
	int nt = p->nt, per = (nb + nt - 1) / nt, used = 0;
	double norm_n = 0, norm_pairs = 0;

	/* global normalisers (the masks decide them) */
	for (int b = 0; b < nb; b++) {
		const uint8_t *m = xy->m + starts[b];
		double wb = w ? w[b] : 1.0;

		for (int t = burn; t < p->T; t++) {
			norm_n += wb * m[t];
			if (t > burn)
				norm_pairs += wb * (m[t] && m[t - 1]);
		}
	}
	for (int i = 0; i < nt; i++) {
		struct job *j = &p->jobs[i];
		int lo = i * per, hi = lo + per > nb ? nb : lo + per;

		if (lo >= hi)
			break;
		j->g = g;
		j->xy = xy;
		j->starts = starts + lo;
		j->nb = hi - lo;
		j->T = p->T;
		j->burn = burn;
		j->smooth = smooth;
		j->huber = p->huber;
		j->norm_n = norm_n > 0 ? norm_n : 1;
		j->norm_pairs = norm_pairs > 0 ? norm_pairs : 1;
		j->use_grad = grad_sum != NULL;
		j->h0 = h0 ? h0 + (size_t)lo * g->H : NULL;
		j->w = w ? w + lo : NULL;
		j->score = score ? score + lo : NULL;
		used = i + 1;
	}
	/* jobs 1.. on their own threads, job 0 on this one */
	for (int i = 1; i < used; i++)
		if (pthread_create(&th[i], NULL, job_run, &p->jobs[i]) != 0) {
			job_run(&p->jobs[i]);
			th[i] = 0;
		}
	job_run(&p->jobs[0]);
	th[0] = 0;
	*sse = 0;
	*cnt = 0;
	for (int i = 0; i < used; i++) {
		struct job *j = &p->jobs[i];

		if (th[i])
			pthread_join(th[i], NULL);
		*sse += j->sse;
		*cnt += j->cnt;
		if (grad_sum) {
			if (i == 0)
				memcpy(grad_sum, j->grad, g->np * sizeof(float));
			else
				for (size_t k = 0; k < g->np; k++)
					grad_sum[k] += j->grad[k];
		}
		if (per_win)
			for (int b = 0; b < j->nb; b++) {
				double c = 0;
				const uint8_t *m = xy->m + j->starts[b];

				for (int t = burn; t < p->T; t++)
					c += m[t];
				per_win[i * per + b] = c > 0 ? j->per_seq[b] / (2 * c) : -1;
			}
		if (h_out)
			memcpy(h_out + (size_t)i * per * g->H,
			       tmn_gru_ws_state(j->ws, save_t, j->nb),
			       (size_t)j->nb * g->H * sizeof(float));
	}
}

double tmn_eval_windows(const struct tmn_gru *g, const struct tmn_xy *xy, int window,
			int burn, int batch, int threads)
{
	struct pool p;
	size_t *starts, n = tmn_windows_runs(xy, (size_t)window, (size_t)window, &starts, NULL);
	double sse = 0, cnt = 0;

	if (!n || pool_init(&p, g, threads, window, batch)) {
		free(starts);
		return NAN;
	}
	for (size_t i = 0; i < n; i += (size_t)batch) {
		int nb = (int)(n - i < (size_t)batch ? n - i : (size_t)batch);
		double s, c;

		pool_batch(&p, g, xy, starts + i, nb, burn, 0, NULL, &s, &c, NULL, NULL, 0, NULL,
			   NULL, NULL);
		sse += s;
		cnt += c;
	}
	pool_free(&p);
	free(starts);
	return cnt > 0 ? sse / (2 * cnt) : NAN;
}

double tmn_eval_stream(const struct tmn_gru *g, const struct tmn_xy *xy, int window,
		       int batch, int threads)
{
	struct pool p;
	size_t B = (size_t)batch, nw, nall;
	size_t *starts = NULL, *all = NULL, *wrun = NULL;
	float *h = NULL, *hn = NULL;
	uint8_t *score = NULL, *warm = NULL;
	double sse = 0, cnt = 0;

	/*
	 * B contiguous chunks of the part's windows (back to back inside each
	 * run) streamed in parallel, the state carried from window to window;
	 * chunks of >= 16 windows.  The state starts from zero at a run start
	 * and at a chunk start; where that is not the core's state (the part's
	 * first tick, a block of a subsampled part, a chunk that begins inside
	 * a run) the first two windows are warm-up only.  At a segment start
	 * the core's state is zero too, so scoring starts at once.
	 */
	while (B > 1 && xy->n / B < 16 * (size_t)window)
		B /= 2;
	nall = tmn_windows_runs(xy, (size_t)window, (size_t)window, &all, NULL);
	nw = nall / B;
	if (!nw || pool_init(&p, g, threads, window, (int)B)) {
		free(all);
		return NAN;
	}
	starts = malloc(B * sizeof(size_t));
	h = calloc(B * g->H, sizeof(float));
	hn = malloc(B * g->H * sizeof(float));
	score = malloc(B);
	warm = calloc(B, 1);
	wrun = malloc(nall * sizeof(size_t));
	if (!starts || !h || !hn || !score || !warm || !wrun) {
		pool_free(&p);
		free(all);
		free(starts);
		free(h);
		free(hn);
		free(score);
		free(warm);
		free(wrun);
		return NAN;
	}
	/* run of each window */
	for (size_t w = 0, r = 0; w < nall; w++) {
		while (r + 1 < xy->nruns && xy->runs[r + 1] <= all[w])
			r++;
		wrun[w] = r;
	}
	for (size_t k = 0; k < nw; k++) {
		double s, c;

		for (size_t b = 0; b < B; b++) {
			size_t w = b * nw + k;
			int fresh = k == 0 || wrun[w] != wrun[w - 1];

			starts[b] = all[w];
			if (fresh) {
				/* a true segment start is the core's zero state */
				int exact = xy->nruns && xy->run_seg[wrun[w]] &&
					    all[w] == xy->runs[wrun[w]];

				memset(h + b * g->H, 0, (size_t)g->H * sizeof(float));
				warm[b] = exact ? 2 : 0;
			}
			score[b] = warm[b] >= 2;
			if (warm[b] < 2)
				warm[b]++;
		}
		pool_batch(&p, g, xy, starts, (int)B, 0, 0, NULL, &s, &c, NULL, h, window - 1, hn,
			   NULL, score);
		memcpy(h, hn, B * g->H * sizeof(float));
		sse += s;
		cnt += c;
	}
	pool_free(&p);
	free(all);
	free(starts);
	free(h);
	free(hn);
	free(score);
	free(warm);
	free(wrun);
	return cnt > 0 ? sse / (2 * cnt) : NAN;
}

int tmn_window_embed_dim(int F)
{
	return (F - 2) + 4;
}

void tmn_window_embed(const struct tmn_xy *xy, size_t start, int window, float *emb)
{
	const int F = xy->F;
	const float *first = xy->x + start * F, *last = xy->x + (start + window - 1) * F;
	int k, e = 0;

	/* mean of the velocity-like features over the second half ... */
	for (k = 2; k < F; k++) {
		double s = 0;

		for (int t = window / 2; t < window; t++)
			s += xy->x[(start + (size_t)t) * F + k];
		emb[e++] = (float)(s / (window - window / 2));
	}
	/* ... and the velocity at both ends (its change is the manoeuvre) */
	emb[e++] = last[2];
	emb[e++] = last[3];
	emb[e++] = first[2];
	emb[e++] = first[3];
}

/* ---- checkpoints -------------------------------------------------------- */

static int ckpt_write(const char *path, const struct tmn_ckpt_hdr *h, const float *p,
		      const float *best, const struct tmn_adam *a, const float *hs,
		      uint64_t nh, char *err, int errlen)
{
	char tmp[4096];
	FILE *f;
	size_t np = h->np;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		return fail(err, errlen, "%s: %s", tmp, strerror(errno));
	if (fwrite(h, sizeof(*h), 1, f) != 1 || fwrite(best, sizeof(float), np, f) != np ||
	    fwrite(p, sizeof(float), np, f) != np || fwrite(a->m, sizeof(float), np, f) != np ||
	    fwrite(a->v, sizeof(float), np, f) != np || fwrite(&nh, sizeof(nh), 1, f) != 1 ||
	    (nh && fwrite(hs, sizeof(float), nh, f) != nh)) {
		fclose(f);
		remove(tmp);
		return fail(err, errlen, "%s: write failed", tmp);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		remove(tmp);
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	return 0;
}

/* The version 1 header: struct tmn_kalman without kind, tau, hcov_scale */
struct tmn_kalman_v1 {
	double qa, r, p0_pos, p0_vel;
	int stale_ticks;
};

struct tmn_ckpt_hdr_v1 {
	char magic[8];
	uint32_t version, system, F, H;
	uint32_t rate_hz, window, horizon, burn;
	struct tmn_norm norm;
	struct tmn_kalman_v1 kalman;
	uint32_t epochs_done, best_epoch, bad_epochs, done;
	uint64_t seed;
	double best_val;
	int64_t adam_t;
	uint64_t rng[4];
	uint64_t np;
	uint64_t data_n;
	double train_seconds;
	double val_hist[64];
	double head_gain;
};

/* the header of either version into h; its size in the file in *hsz */
static int ckpt_read_hdr(FILE *f, struct tmn_ckpt_hdr *h, size_t *hsz)
{
	struct tmn_ckpt_hdr_v1 h1;
	char mv[12];
	uint32_t ver;

	if (fread(mv, sizeof(mv), 1, f) != 1 || memcmp(mv, TMN_CKPT_MAGIC, 8) ||
	    fseek(f, 0, SEEK_SET))
		return -1;
	memcpy(&ver, mv + 8, 4);
	if (ver == TMN_CKPT_VERSION) {
		*hsz = sizeof(*h);
		return fread(h, sizeof(*h), 1, f) == 1 ? 0 : -1;
	}
	if (ver != 1 || fread(&h1, sizeof(h1), 1, f) != 1)
		return -1;
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, h1.magic, 8);
	h->version = TMN_CKPT_VERSION;
	h->system = h1.system;
	h->F = h1.F;
	h->H = h1.H;
	h->rate_hz = h1.rate_hz;
	h->window = h1.window;
	h->horizon = h1.horizon;
	h->burn = h1.burn;
	h->norm = h1.norm;
	h->kalman.qa = h1.kalman.qa;
	h->kalman.r = h1.kalman.r;
	h->kalman.p0_pos = h1.kalman.p0_pos;
	h->kalman.p0_vel = h1.kalman.p0_vel;
	h->kalman.stale_ticks = h1.kalman.stale_ticks;
	h->kalman.kind = TMNET_PRIOR_CV;
	h->kalman.hcov_scale = 1;
	h->epochs_done = h1.epochs_done;
	h->best_epoch = h1.best_epoch;
	h->bad_epochs = h1.bad_epochs;
	h->done = h1.done;
	h->seed = h1.seed;
	h->best_val = h1.best_val;
	h->adam_t = h1.adam_t;
	memcpy(h->rng, h1.rng, sizeof(h->rng));
	h->np = h1.np;
	h->data_n = h1.data_n;
	h->train_seconds = h1.train_seconds;
	memcpy(h->val_hist, h1.val_hist, sizeof(h->val_hist));
	h->head_gain = h1.head_gain;
	*hsz = sizeof(h1);
	return 0;
}

/* read header + best params; cur/m/v too when non-NULL; hsz may be NULL */
static int ckpt_read(const char *path, struct tmn_ckpt_hdr *h, float **best, float **cur,
		     float **m, float **v, size_t *hsz_out, char *err, int errlen)
{
	FILE *f = fopen(path, "rb");
	float **arr[4] = { best, cur, m, v };
	size_t hsz = sizeof(*h);

	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (ckpt_read_hdr(f, h, &hsz) || !(h->head_gain > 0) ||
	    h->kalman.kind < TMNET_PRIOR_CV || h->kalman.kind > TMNET_PRIOR_DV ||
	    h->norm.extra < TMN_EXTRA_NONE || h->norm.extra > TMN_EXTRA_RESID) {
		fclose(f);
		return fail(err, errlen, "%s: not a tmnet checkpoint (or another version)", path);
	}
	if (h->F < 1 || h->F > TMNET_MAX_FEATURES || h->H < 1 || h->H > TMNET_MAX_HIDDEN ||
	    h->np != tmn_gru_nparams((int)h->F, (int)h->H) ||
	    (h->system != TMNET_SYS_A && h->system != TMNET_SYS_B)) {
		fclose(f);
		return fail(err, errlen, "%s: corrupt checkpoint header", path);
	}
	for (int i = 0; i < 4; i++) {
		if (!arr[i])
			continue;
		*arr[i] = malloc(h->np * sizeof(float));
		if (!*arr[i] || fseek(f, (long)(hsz + i * h->np * sizeof(float)), SEEK_SET) ||
		    fread(*arr[i], sizeof(float), h->np, f) != h->np) {
			fclose(f);
			for (int k = 0; k <= i; k++)
				if (arr[k]) {
					free(*arr[k]);
					*arr[k] = NULL;
				}
			return fail(err, errlen, "%s: truncated checkpoint", path);
		}
	}
	fclose(f);
	if (hsz_out)
		*hsz_out = hsz;
	return 0;
}

int tmn_ckpt_load(const char *path, struct tmn_model_f *mf, char *err, int errlen)
{
	float *best = NULL;

	memset(mf, 0, sizeof(*mf));
	if (ckpt_read(path, &mf->h, &best, NULL, NULL, NULL, NULL, err, errlen))
		return -1;
	mf->g.F = (int)mf->h.F;
	mf->g.H = (int)mf->h.H;
	mf->g.np = mf->h.np;
	mf->g.head_gain = (float)mf->h.head_gain;
	tmn_gru_bind(&mf->g, best);
	return 0;
}

void tmn_model_f_free(struct tmn_model_f *mf)
{
	tmn_gru_free(&mf->g);
}

/* ---- the loop ------------------------------------------------------------ */

static void shuffle(size_t *a, size_t n, struct tmn_rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(tmn_rng_u64(r) % i), t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

int tmn_train_run(const struct tmn_train_cfg *c, struct tmn_ckpt_hdr *hdr,
		  const struct tmn_xy *tr, const struct tmn_xy *va, struct tmn_gru *out,
		  struct tmn_train_result *res, char *err, int errlen)
{
	const int F = tr->F, H = c->hidden, T = c->window;
	struct tmn_gru g;
	struct tmn_adam adam;
	struct tmn_rng rng;
	struct pool pl;
	struct tmn_graph graph = { 0 };
	size_t *pool_starts = NULL, npool, nsel, *sel = NULL, *sel_starts = NULL;
	uint8_t *pool_cont = NULL;
	double *werr = NULL, *wtmp = NULL, *perwin = NULL, *pp = NULL, *rr = NULL, *ss = NULL;
	float *best = NULL, *grad = NULL, *hstore = NULL, *h0b = NULL, *hout = NULL;
	float *iw = NULL, *iwb = NULL;
	uint8_t *hhave = NULL;
	double t0 = wall(), prior_secs = 0, sel_secs = 0;
	int epoch0 = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&pl, 0, sizeof(pl));
	openblas_set_num_threads(1);
	if (tmn_gru_init(&g, F, H) || tmn_adam_init(&adam, g.np, c->lr))
		return fail(err, errlen, "out of memory");
	tmn_gru_randomize(&g, c->seed * 7919 + 17);
	g.head_gain = (float)c->head_gain;
	tmn_rng_seed(&rng, c->seed);
	best = malloc(g.np * sizeof(float));
	grad = malloc(g.np * sizeof(float));
	npool = tmn_windows_runs(tr, (size_t)T, (size_t)c->stride, &pool_starts, &pool_cont);
	if (!best || !grad || !npool) {
		fail(err, errlen, "no training windows (training part shorter than a window?)");
		goto out;
	}
	nsel = c->budget && c->budget < npool ? c->budget : npool;
	sel = malloc(npool * sizeof(size_t));
	sel_starts = malloc(npool * sizeof(size_t));
	werr = malloc(npool * sizeof(double));
	wtmp = malloc(npool * sizeof(double));
	perwin = malloc((size_t)c->batch * sizeof(double));
	hstore = calloc(npool * (size_t)H, sizeof(float));
	hhave = calloc(npool, 1);
	h0b = malloc((size_t)c->batch * H * sizeof(float));
	hout = malloc((size_t)c->batch * H * sizeof(float));
	if (!hstore || !hhave || !h0b || !hout || !perwin || !sel || !sel_starts || !werr || !wtmp || pool_init(&pl, &g, c->threads, T, c->batch)) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	pl.huber = c->huber;
	for (size_t i = 0; i < npool; i++)
		werr[i] = -1;
	memcpy(best, g.p, g.np * sizeof(float));

	hdr->system = (uint32_t)c->system;
	hdr->F = (uint32_t)F;
	hdr->H = (uint32_t)H;
	hdr->np = g.np;
	hdr->window = (uint32_t)T;
	hdr->burn = (uint32_t)c->burn;
	hdr->seed = c->seed;
	hdr->head_gain = c->head_gain;
	hdr->best_val = INFINITY;
	hdr->epochs_done = 0;
	hdr->best_epoch = 0;
	hdr->bad_epochs = 0;
	hdr->done = 0;
	memcpy(hdr->magic, TMN_CKPT_MAGIC, 8);
	hdr->version = TMN_CKPT_VERSION;

	if (c->resume && c->ckpt) {
		struct tmn_ckpt_hdr h;
		float *b = NULL, *cur = NULL, *m = NULL, *v = NULL;
		size_t hsz;

		if (ckpt_read(c->ckpt, &h, &b, &cur, &m, &v, &hsz, err, errlen))
			goto out;
		if (h.system != hdr->system || h.F != hdr->F || h.H != hdr->H ||
		    h.window != hdr->window || h.horizon != hdr->horizon || h.seed != hdr->seed ||
		    h.data_n != hdr->data_n) {
			free(b);
			free(cur);
			free(m);
			free(v);
			fail(err, errlen, "%s: checkpoint does not match this run (system, shape, window, horizon, seed or data)",
			     c->ckpt);
			goto out;
		}
		memcpy(best, b, g.np * sizeof(float));
		memcpy(g.p, cur, g.np * sizeof(float));
		memcpy(adam.m, m, g.np * sizeof(float));
		memcpy(adam.v, v, g.np * sizeof(float));
		free(b);
		free(cur);
		free(m);
		free(v);
		adam.t = h.adam_t;
		memcpy(rng.s, h.rng, sizeof(rng.s));
		epoch0 = (int)h.epochs_done;
		hdr->epochs_done = h.epochs_done;
		hdr->best_epoch = h.best_epoch;
		hdr->bad_epochs = h.bad_epochs;
		hdr->best_val = h.best_val;
		hdr->done = h.done;
		memcpy(hdr->val_hist, h.val_hist, sizeof(h.val_hist));
		prior_secs = h.train_seconds;
		{
			/* the stored states follow the four parameter arrays */
			FILE *f = fopen(c->ckpt, "rb");
			uint64_t nh = 0;
			int okh = f && !fseek(f, (long)(hsz + 4 * h.np * sizeof(float)), SEEK_SET) &&
				  fread(&nh, sizeof(nh), 1, f) == 1 && nh == (uint64_t)npool * H &&
				  fread(hstore, sizeof(float), nh, f) == nh;

			if (f)
				fclose(f);
			if (!okh)
				memset(hstore, 0, (size_t)npool * H * sizeof(float));
		}
		if (!c->quiet)
			fprintf(stderr, "resumed %s at epoch %d (best val %.5f at epoch %u)\n", c->ckpt,
				epoch0, h.best_val, h.best_epoch);
		if (h.done)	/* early-stopped: nothing left to do */
			epoch0 = c->epochs;
	}

	if (c->active && nsel < npool) {
		size_t D = (size_t)tmn_window_embed_dim(F);
		float *emb = malloc(npool * D * sizeof(float));
		uint32_t *nbr = malloc(npool * (size_t)c->knn_k * sizeof(uint32_t));
		double ts = wall();
		int krc;

		if (!emb || !nbr) {
			free(emb);
			free(nbr);
			fail(err, errlen, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < npool; i++)
			tmn_window_embed(tr, pool_starts[i], T, emb + i * D);
		krc = tmn_knn(emb, npool, (int)D, c->knn_k, nbr);
		if (!krc)
			krc = tmn_graph_from_knn(nbr, npool, c->knn_k, &graph);
		free(emb);
		free(nbr);
		pp = malloc(npool * sizeof(double));
		rr = malloc(npool * sizeof(double));
		ss = malloc(npool * sizeof(double));
		if (krc || !pp || !rr || !ss) {
			fail(err, errlen, "kNN graph failed");
			goto out;
		}
		sel_secs += wall() - ts;
		if (!c->quiet)
			fprintf(stderr, "active: kNN graph (k=%d) over %zu windows, %zu edges, %.2f s\n",
				c->knn_k, npool, graph.off[npool], wall() - ts);
	}
	if (!c->quiet)
		fprintf(stderr, "train: system %s, F=%d H=%d, %zu windows in pool (stride %d), %zu per epoch, %d val ticks, batch %d, %d threads\n",
			c->system == TMNET_SYS_A ? "A" : "B", F, H, npool, c->stride, nsel,
			(int)va->n, c->batch, c->threads);

	for (int ep = epoch0; ep < c->epochs; ep++) {
		double te = wall(), tsse = 0, tcnt = 0, val, gsum = 0;
		int gn = 0;
		int have_err = 0;

		/* choose this epoch's windows */
		if (nsel == npool) {
			for (size_t i = 0; i < npool; i++)
				sel[i] = i;
			shuffle(sel, npool, &rng);
		} else {
			double ts = wall();

			for (size_t i = 0; i < npool; i++)
				have_err += werr[i] > 0;
			if (c->active && have_err) {
				double sp = 0;
				size_t work = 0, pushes;

				tmn_ppr_seed(werr, npool, nsel / 4 + 1,
					     tmn_ppr_mass(nsel / 4 + 1, c->push_eps), ss);
				pushes = tmn_ppr_push(&graph, ss, c->push_alpha, c->push_eps, pp, rr,
						      &work);
				for (size_t i = 0; i < npool; i++)
					sp += pp[i];
				for (size_t i = 0; i < npool; i++)
					wtmp[i] = c->active_mix * (sp > 0 ? pp[i] / sp : 0) +
						  (1 - c->active_mix) / (double)npool;
				if (!c->quiet) {
					size_t nz = 0;

					for (size_t i = 0; i < npool; i++)
						nz += pp[i] > 0;
					fprintf(stderr, "active: %zu pushes (%zu edge visits), %zu of %zu windows with PageRank mass\n",
						pushes, work, nz, npool);
				}
			} else {
				for (size_t i = 0; i < npool; i++)
					wtmp[i] = 1;
			}
			tmn_sample_weighted(wtmp, npool, nsel, &rng, sel);
			/*
			 * Importance weights 1 / (n_pool q_i) (q the normalised
			 * selection weight; approximate for sampling without
			 * replacement), normalised to mean 1 over the selection:
			 * the expected gradient stays the full-pool gradient, the
			 * selection only moves where the samples go.
			 */
			if (c->active && have_err) {
				double sw = 0, ws = 0;

				if (!iw)
					iw = malloc(npool * sizeof(float));
				if (!iwb)
					iwb = malloc((size_t)c->batch * sizeof(float));
				if (!iw || !iwb) {
					fail(err, errlen, "out of memory");
					goto out;
				}
				for (size_t q = 0; q < npool; q++)
					sw += wtmp[q];
				for (size_t q = 0; q < nsel; q++)
					ws += sw / ((double)npool * wtmp[sel[q]]);
				for (size_t q = 0; q < npool; q++)
					iw[q] = (float)(sw / ((double)npool * wtmp[q]) /
							(ws / (double)nsel));
			}
			shuffle(sel, nsel, &rng);
			sel_secs += wall() - ts;
		}
		for (size_t i = 0; i < nsel; i++)
			sel_starts[i] = pool_starts[sel[i]];

		for (size_t i = 0; i < nsel; i += (size_t)c->batch) {
			int nb = (int)(nsel - i < (size_t)c->batch ? nsel - i : (size_t)c->batch);
			double s, cn;

			for (int b = 0; b < nb; b++) {
				memcpy(h0b + (size_t)b * H, hstore + sel[i + b] * (size_t)H,
				       (size_t)H * sizeof(float));
				if (iw)
					iwb[b] = iw[sel[i + b]];
			}
			pool_batch(&pl, &g, tr, sel_starts + i, nb, c->burn, c->smooth, grad, &s, &cn,
				   perwin, h0b, c->stride - 1, hout, iw ? iwb : NULL, NULL);
			for (int b = 0; b < nb; b++) {
				size_t w = sel[i + b];

				werr[w] = perwin[b];
				/*
				 * stored state: this window's state at the next one's
				 * start, never across a run (segment) start
				 */
				if (w + 1 < npool && c->stride < T && pool_cont[w + 1]) {
					memcpy(hstore + (w + 1) * (size_t)H, hout + (size_t)b * H,
					       (size_t)H * sizeof(float));
					hhave[w + 1] = 1;
				}
			}
			gsum += tmn_adam_step(&adam, g.p, grad, c->clip);
			gn++;
			tsse += s;
			tcnt += cn;
		}
		val = tmn_eval_stream(&g, va, T, c->batch, c->threads);
		hdr->epochs_done = (uint32_t)ep + 1;
		if (ep < 64)
			hdr->val_hist[ep] = val;
		if (val < hdr->best_val) {
			hdr->best_val = val;
			hdr->best_epoch = (uint32_t)ep + 1;
			hdr->bad_epochs = 0;
			memcpy(best, g.p, g.np * sizeof(float));
		} else {
			hdr->bad_epochs++;
		}
		{
			double el = wall() - t0;
			double eta = el / (ep + 1 - epoch0) * (c->epochs - ep - 1);

			if (!c->quiet)
				fprintf(stderr, "epoch %2d/%d  train %.5f  val %.5f%s  |g| %.3g  %5.1f s  ETA %5.1f s\n",
					ep + 1, c->epochs, tcnt > 0 ? tsse / (2 * tcnt) : NAN, val,
					hdr->bad_epochs == 0 ? " *" : "  ", gn ? gsum / gn : 0,
					wall() - te, eta);
		}
		if (hdr->bad_epochs >= (uint32_t)c->patience && c->patience > 0) {
			hdr->done = 1;
			if (!c->quiet)
				fprintf(stderr, "early stop: no val progress for %d epochs\n", c->patience);
		}
		hdr->adam_t = adam.t;
		memcpy(hdr->rng, rng.s, sizeof(rng.s));
		hdr->train_seconds = prior_secs + (wall() - t0);
		if (c->ckpt && ckpt_write(c->ckpt, hdr, g.p, best, &adam, hstore,
					  (uint64_t)npool * H, err, errlen))
			goto out;
		if (hdr->done || ep + 1 == c->epochs)
			break;
	}
	if (tmn_gru_init(out, F, H)) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	memcpy(out->p, best, g.np * sizeof(float));
	out->head_gain = g.head_gain;
	res->best_val = hdr->best_val;
	res->best_epoch = (int)hdr->best_epoch;
	res->epochs_run = (int)hdr->epochs_done;
	res->seconds = prior_secs + (wall() - t0);
	res->sel_seconds = sel_secs;
	rc = 0;
out:
	pool_free(&pl);
	tmn_graph_free(&graph);
	free(pool_starts);
	free(pool_cont);
	free(sel);
	free(sel_starts);
	free(werr);
	free(wtmp);
	free(perwin);
	free(hstore);
	free(iw);
	free(iwb);
	free(hhave);
	free(h0b);
	free(hout);
	free(pp);
	free(rr);
	free(ss);
	free(best);
	free(grad);
	tmn_adam_free(&adam);
	tmn_gru_free(&g);
	return rc;
}

/* ---- a training set in bounded memory ------------------------------------- */

void tmn_trainset_default(struct tmn_trainset_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->system = TMNET_SYS_B;
	c->max_ticks[0] = TMN_MAX_TRAIN_TICKS_DEFAULT;
	c->max_ticks[1] = TMN_MAX_VAL_TICKS_DEFAULT;
}

void tmn_trainset_free(struct tmn_trainset *ts)
{
	tmn_series_free(&ts->d);
	free(ts->prior);
	tmn_xy_free(&ts->xy[0]);
	tmn_xy_free(&ts->xy[1]);
	memset(ts, 0, sizeof(*ts));
}

void tmn_trainset_hdr(const struct tmn_trainset *ts, struct tmn_ckpt_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->rate_hz = (uint32_t)ts->d.rate_hz;
	h->horizon = (uint32_t)ts->horizon;
	h->window = (uint32_t)ts->window;
	h->norm = ts->norm;
	h->kalman = ts->kalman;
	h->data_n = ts->d.n;
}

int tmn_trainset_load(struct tmn_trainset *ts, const char *csv, const struct tmn_trainset_cfg *c,
		      char *err, int errlen)
{
	const struct tmn_ckpt_hdr *from = c->from;
	char e2[512];
	int rate;

	memset(ts, 0, sizeof(*ts));
	ts->system = c->system;
	if (tmn_csv_read(csv, &ts->d, err, errlen))
		return -1;
	rate = ts->d.rate_hz;
	if (rate < TMNET_MIN_RATE_HZ || rate > TMNET_MAX_RATE_HZ) {
		tmn_trainset_free(ts);
		return fail(err, errlen, "%s: sample rate %d Hz out of range", csv, rate);
	}
	ts->horizon = c->horizon_ms > 0 ? tmn_ms_to_ticks(c->horizon_ms, rate) :
		      TMNET_DEFAULT_HORIZON_TICKS * rate / TMNET_DEFAULT_RATE_HZ;
	ts->window = c->window_ms > 0 ? tmn_ms_to_ticks(c->window_ms, rate) :
		     TMNET_DEFAULT_WINDOW_TICKS * rate / TMNET_DEFAULT_RATE_HZ;
	if (!from && (ts->horizon > TMNET_MAX_HORIZON_TICKS || ts->window < 2 ||
		      ts->window > 100000)) {
		int h = ts->horizon, w = ts->window;

		tmn_trainset_free(ts);
		return fail(err, errlen, "%s: at %d Hz the horizon is %d ticks (1 .. %d) and the window %d ticks (2 .. 100000)",
			    csv, rate, h, TMNET_MAX_HORIZON_TICKS, w);
	}
	if (from) {
		if ((int)from->rate_hz != rate) {
			int r0 = (int)from->rate_hz;

			tmn_trainset_free(ts);
			return fail(err, errlen, "%s: %d Hz data, but the checkpoint was trained at %d Hz",
				    csv, rate, r0);
		}
		ts->horizon = (int)from->horizon;
		ts->window = (int)from->window;
	}
	ts->nsegs = tmn_count_segs(&ts->d, 0, ts->d.n);
	if (tmn_split_make_seg(&ts->d, (size_t)ts->window, (size_t)ts->horizon, &ts->sp)) {
		size_t n = ts->d.n;
		int gap = ts->window + ts->horizon;

		tmn_trainset_free(ts);
		return fail(err, errlen, "%s: %zu samples is too short for a 70/15/15 split with %d-tick gaps",
			    csv, n, gap);
	}
	ts->part_ticks[0] = ts->sp.hi[0] - ts->sp.lo[0];
	ts->part_ticks[1] = ts->sp.hi[1] - ts->sp.lo[1];
	if (c->verbose)
		fprintf(stderr, "data: %zu samples at %d Hz in %zu segment(s); horizon %d ticks (%.1f ms), window %d ticks (%.1f ms); train [%zu,%zu) val [%zu,%zu) test [%zu,%zu)\n",
			ts->d.n, rate, ts->nsegs, ts->horizon, 1e3 * ts->horizon / rate, ts->window,
			1e3 * ts->window / rate, ts->sp.lo[0], ts->sp.hi[0], ts->sp.lo[1],
			ts->sp.hi[1], ts->sp.lo[2], ts->sp.hi[2]);
	if (from) {
		ts->kalman = from->kalman;
		ts->norm = from->norm;
	} else {
		if (tmn_kalman_fit_rep(&ts->d, ts->sp.lo[0], ts->sp.hi[0], ts->horizon,
				       &ts->kalman, &ts->fit, c->verbose)) {
			tmn_trainset_free(ts);
			return fail(err, errlen, "%s: cannot fit the Kalman prior (too few valid samples?)",
				    csv);
		}
		ts->fitted = 1;
		if (c->qa > 0 && c->verbose)
			fprintf(stderr, "kalman: qa set to %.4g units^2/s^3 by the caller\n", c->qa);
		/* CV or DV on validation, and the NEES calibration of either */
		if (tmn_prior_select(&ts->d, &ts->sp, ts->horizon, c->prior_mode, c->qa,
				     &ts->kalman, &ts->fit, c->verbose)) {
			tmn_trainset_free(ts);
			return fail(err, errlen, "%s: cannot choose or calibrate the prior on the validation part",
				    csv);
		}
	}
	ts->prior = malloc(sizeof(*ts->prior));
	if (!ts->prior ||
	    tmn_prior_model(&ts->kalman, rate, ts->horizon, ts->prior, e2, sizeof(e2))) {
		tmn_trainset_free(ts);
		return fail(err, errlen, "prior model: %s", e2);
	}
	ts->norm.system = c->system;
	for (int i = 0; i < 2; i++) {
		size_t lo = ts->sp.lo[i], hi = ts->sp.hi[i];
		const char *lab = c->verbose && hi - lo > 1000000 ? (i ? "val" : "train") : NULL;
		double s2 = 0, cn = 0;

		if (tmn_xy_stream(&ts->d, lo, hi, ts->prior, from ? from->norm.extra : c->extra,
				  c->max_ticks[i], (size_t)ts->window * 32, !from && i == 0,
				  &ts->norm, &ts->xy[i], lab)) {
			tmn_trainset_free(ts);
			return fail(err, errlen, i == 0 && !from ? "%s: no usable training ticks (or out of memory)" :
				    "%s: out of memory", csv);
		}
		if (c->verbose && ts->xy[i].n < hi - lo)
			fprintf(stderr, "%s: %zu of %zu ticks kept (%zu runs of evenly spaced blocks; --max-ticks)\n",
				i ? "val" : "train", ts->xy[i].n, hi - lo, ts->xy[i].nruns);
		if (i == 0 && c->verbose) {
			fprintf(stderr, "norm: out_scale %.3f units, in_frac %d (int8 range +-%.2f sd); mean/std:",
				ts->norm.out_scale, ts->norm.in_frac, 127.0 / (1 << ts->norm.in_frac));
			for (int k = 0; k < ts->norm.F; k++)
				fprintf(stderr, " %.3g/%.3g", ts->norm.mean[k], ts->norm.std[k]);
			fprintf(stderr, "\n");
		}
		for (size_t t = (size_t)ts->window / 4; t < ts->xy[i].n; t++)
			if (ts->xy[i].m[t]) {
				s2 += (double)ts->xy[i].y[2 * t] * ts->xy[i].y[2 * t] +
				      (double)ts->xy[i].y[2 * t + 1] * ts->xy[i].y[2 * t + 1];
				cn++;
			}
		ts->zero_mse[i] = cn > 0 ? s2 / (2 * cn) : 0;
		if (c->verbose)
			fprintf(stderr, "%s: MSE of a zero output (%s) %.5f normalised\n",
				i ? "val" : "train",
				c->system == TMNET_SYS_A ? "hold the last position" : "the prior alone",
				ts->zero_mse[i]);
	}
	return 0;
}
