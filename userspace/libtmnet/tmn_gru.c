// SPDX-License-Identifier: GPL-2.0
/*
 * Float GRU forward/backward (BPTT) with OpenBLAS sgemm.
 *
 * Forward, per tick t (rows b of the batch):
 *   Gi = x_t W_ih^T + b_ih        (all ticks at once: one sgemm)
 *   Gh = h_{t-1} W_hh^T + b_hh    (one sgemm per tick)
 *   r = sig(Gi_r + Gh_r), z = sig(Gi_z + Gh_z), n = tanh(Gi_n + r Gh_n)
 *   h_t = (1 - z) n + z h_{t-1}
 *   yhat_t = h_t W_out^T + b_out  (all ticks at once)
 * Backward: dh flows back through the element-wise gate maths and
 * dGh W_hh (one sgemm per tick); the weight gradients are then three big
 * sgemms over all ticks: dW_ih = dGi^T X, dW_hh = dGh^T H_prev, dW_out =
 * dY^T H.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "tmn_data.h"
#include "tmn_gru.h"

size_t tmn_gru_nparams(int F, int H)
{
	return (size_t)3 * H * F + (size_t)3 * H * H + 6 * (size_t)H + 2 * (size_t)H + 2;
}

void tmn_gru_bind(struct tmn_gru *g, float *p)
{
	const int F = g->F, H = g->H;

	g->p = p;
	g->w_ih = p;
	g->w_hh = g->w_ih + 3 * H * F;
	g->b_ih = g->w_hh + 3 * H * H;
	g->b_hh = g->b_ih + 3 * H;
	g->w_out = g->b_hh + 3 * H;
	g->b_out = g->w_out + 2 * H;
}

int tmn_gru_init(struct tmn_gru *g, int F, int H)
{
	float *p;

	memset(g, 0, sizeof(*g));
	if (F < 1 || F > TMNET_MAX_FEATURES || H < 1 || H > TMNET_MAX_HIDDEN)
		return -1;
	g->F = F;
	g->H = H;
	g->head_gain = 1.0f;
	g->np = tmn_gru_nparams(F, H);
	p = calloc(g->np, sizeof(float));
	if (!p)
		return -1;
	tmn_gru_bind(g, p);
	return 0;
}

void tmn_gru_free(struct tmn_gru *g)
{
	free(g->p);
	memset(g, 0, sizeof(*g));
}

void tmn_gru_randomize(struct tmn_gru *g, uint64_t seed)
{
	struct tmn_rng r;
	double k = 1.0 / sqrt((double)g->H);
	size_t i;

	tmn_rng_seed(&r, seed);
	for (i = 0; i < g->np; i++)
		g->p[i] = (float)tmn_rng_range(&r, -k, k);
	/*
	 * Chrono initialisation (Tallec & Ollivier, "Can recurrent neural
	 * networks warp time?", ICLR 2018): at 2 kHz the 128 ms history is 256
	 * ticks, but z = sigmoid(0) = 1/2 forgets half the state every tick and
	 * Adam cannot move the bias far enough in a few hundred steps.  The
	 * update-gate bias b_hz = log(U(1, 255)) spreads the units' memory time
	 * 1 / (1 - z) over 1 .. 256 ticks from the start.
	 */
	for (i = 0; i < (size_t)g->H; i++) {
		g->b_ih[g->H + i] = 0;
		g->b_hh[g->H + i] = (float)log(tmn_rng_range(&r, 1.0, 255.0));
	}
	/* small head: the first predictions are near zero */
	for (i = 0; i < (size_t)2 * g->H; i++)
		g->w_out[i] *= 0.1f;
	g->b_out[0] = g->b_out[1] = 0;
}

void tmn_gru_to_quant(const struct tmn_gru *g, struct tmq_gru *q)
{
	const int F = g->F, H = g->H;
	int r, c;

	memset(q, 0, sizeof(*q));
	q->n_feat = F;
	q->hidden = H;
	for (r = 0; r < 3 * H; r++) {
		for (c = 0; c < F; c++)
			q->w_ih[r][c] = g->w_ih[r * F + c];
		for (c = 0; c < H; c++)
			q->w_hh[r][c] = g->w_hh[r * H + c];
		q->b_ih[r] = g->b_ih[r];
		q->b_hh[r] = g->b_hh[r];
	}
	for (r = 0; r < 2; r++) {
		for (c = 0; c < H; c++)
			q->w_out[r][c] = g->head_gain * g->w_out[r * H + c];
		q->b_out[r] = g->b_out[r];
	}
}

struct tmn_gru_ws {
	int F, H, T, B;
	float *gi;	/* [T*B][3H] input pre-activations, then dGi */
	float *gh;	/* [B][3H] per tick */
	float *hbuf;	/* [(T+1)*B][H]: h_{-1} = h0, h_0 .. h_{T-1} */
	float *r, *z, *n, *ghn;	/* [T*B][H] */
	float *yhat;	/* [T*B][2] */
	float *dy;	/* [T*B][2] */
	float *dhh;	/* [T*B][H] head gradient into h */
	float *dgh;	/* [T*B][3H] */
	float *dh;	/* [B][H] */
};

struct tmn_gru_ws *tmn_gru_ws_new(int F, int H, int T, int B)
{
	struct tmn_gru_ws *w = calloc(1, sizeof(*w));
	size_t tb = (size_t)T * B;

	if (!w)
		return NULL;
	w->F = F;
	w->H = H;
	w->T = T;
	w->B = B;
	w->gi = malloc(tb * 3 * H * sizeof(float));
	w->gh = malloc((size_t)B * 3 * H * sizeof(float));
	w->hbuf = malloc((tb + B) * H * sizeof(float));
	w->r = malloc(tb * H * sizeof(float));
	w->z = malloc(tb * H * sizeof(float));
	w->n = malloc(tb * H * sizeof(float));
	w->ghn = malloc(tb * H * sizeof(float));
	w->yhat = malloc(tb * 2 * sizeof(float));
	w->dy = malloc(tb * 2 * sizeof(float));
	w->dhh = malloc(tb * H * sizeof(float));
	w->dgh = malloc(tb * 3 * H * sizeof(float));
	w->dh = malloc((size_t)B * H * sizeof(float));
	if (!w->gi || !w->gh || !w->hbuf || !w->r || !w->z || !w->n || !w->ghn ||
	    !w->yhat || !w->dy || !w->dhh || !w->dgh || !w->dh) {
		tmn_gru_ws_free(w);
		return NULL;
	}
	return w;
}

void tmn_gru_ws_free(struct tmn_gru_ws *w)
{
	if (!w)
		return;
	free(w->gi);
	free(w->gh);
	free(w->hbuf);
	free(w->r);
	free(w->z);
	free(w->n);
	free(w->ghn);
	free(w->yhat);
	free(w->dy);
	free(w->dhh);
	free(w->dgh);
	free(w->dh);
	free(w);
}

const float *tmn_gru_ws_state(const struct tmn_gru_ws *ws, int t, int B)
{
	return ws->hbuf + (size_t)(t + 1) * B * ws->H;
}

static inline float sigf(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

/* tanh through expf: glibc's tanhf (via expm1f) was a third of the run time */
static inline float tanh_fast(float x)
{
	if (x > 15.0f)
		return 1.0f;
	if (x < -15.0f)
		return -1.0f;
	return 1.0f - 2.0f / (1.0f + expf(2.0f * x));
}

void tmn_gru_run(const struct tmn_gru *g, const struct tmn_batch *bt, struct tmn_gru_ws *ws,
		 double smooth, double norm_n, double norm_pairs, float *grad,
		 double *sse_out, double *cnt_out, float *yhat_out, double *per_seq)
{
	const int F = g->F, H = g->H, H3 = 3 * H, T = bt->T, B = bt->B;
	const size_t tb = (size_t)T * B;
	double sse = 0, cnt = 0;
	int t, b, k;

	/* Gi for every tick: [T*B][F] x [F][3H] */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)tb, H3, F, 1.0f, bt->x, F,
		    g->w_ih, F, 0.0f, ws->gi, H3);
	if (bt->h0)
		memcpy(ws->hbuf, bt->h0, (size_t)B * H * sizeof(float));
	else
		memset(ws->hbuf, 0, (size_t)B * H * sizeof(float));

	for (t = 0; t < T; t++) {
		const float *hp = ws->hbuf + (size_t)t * B * H;
		float *hn = ws->hbuf + (size_t)(t + 1) * B * H;

		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H3, H, 1.0f, hp, H,
			    g->w_hh, H, 0.0f, ws->gh, H3);
		for (b = 0; b < B; b++) {
			const size_t row = (size_t)t * B + b;
			const float *gi = ws->gi + row * H3;
			const float *gh = ws->gh + (size_t)b * H3;
			float *rr = ws->r + row * H, *zz = ws->z + row * H;
			float *nn = ws->n + row * H, *gg = ws->ghn + row * H;

			for (k = 0; k < H; k++) {
				float r = sigf(gi[k] + g->b_ih[k] + gh[k] + g->b_hh[k]);
				float z = sigf(gi[H + k] + g->b_ih[H + k] + gh[H + k] +
					       g->b_hh[H + k]);
				float ghn = gh[2 * H + k] + g->b_hh[2 * H + k];
				float n = tanh_fast(gi[2 * H + k] + g->b_ih[2 * H + k] + r * ghn);

				rr[k] = r;
				zz[k] = z;
				nn[k] = n;
				gg[k] = ghn;
				hn[(size_t)b * H + k] = (1.0f - z) * n + z * hp[(size_t)b * H + k];
			}
		}
	}
	/* head: [T*B][H] x [H][2] */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)tb, 2, H, g->head_gain,
		    ws->hbuf + (size_t)B * H, H, g->w_out, H, 0.0f, ws->yhat, 2);
	if (per_seq)
		for (b = 0; b < B; b++)
			per_seq[b] = 0;
	for (size_t i = 0; i < tb; i++) {
		ws->yhat[2 * i] += g->b_out[0];
		ws->yhat[2 * i + 1] += g->b_out[1];
		ws->dy[2 * i] = ws->dy[2 * i + 1] = 0;
		if (bt->m[i]) {
			double e0 = ws->yhat[2 * i] - bt->y[2 * i];
			double e1 = ws->yhat[2 * i + 1] - bt->y[2 * i + 1];

			sse += e0 * e0 + e1 * e1;
			cnt += 1;
			if (per_seq)
				per_seq[i % (size_t)B] += e0 * e0 + e1 * e1;
			if (grad) {
				double wb = bt->w ? bt->w[i % (size_t)B] : 1.0;

				/* d l / d e = e / sqrt(1 + ||e||^2 / d^2) (pseudo-Huber) */
				if (bt->huber > 0)
					wb /= sqrt(1 + (e0 * e0 + e1 * e1) /
						   (bt->huber * bt->huber));
				ws->dy[2 * i] = (float)(wb * e0 / norm_n);
				ws->dy[2 * i + 1] = (float)(wb * e1 / norm_n);
			}
		}
	}
	if (yhat_out)
		memcpy(yhat_out, ws->yhat, tb * 2 * sizeof(float));
	*sse_out = sse;
	*cnt_out = cnt;
	if (!grad)
		return;
	if (smooth > 0 && norm_pairs > 0) {
		for (t = 1; t < T; t++) {
			for (b = 0; b < B; b++) {
				size_t i = (size_t)t * B + b, j = i - B;

				if (!bt->m[i] || !bt->m[j])
					continue;
				for (k = 0; k < 2; k++) {
					float d = (float)((bt->w ? bt->w[b] : 1.0f) * smooth / norm_pairs *
							  (ws->yhat[2 * i + k] - ws->yhat[2 * j + k]));

					ws->dy[2 * i + k] += d;
					ws->dy[2 * j + k] -= d;
				}
			}
		}
	}

	{
		float *gw_ih = grad, *gw_hh = gw_ih + 3 * H * F, *gb_ih = gw_hh + 3 * H * H;
		float *gb_hh = gb_ih + 3 * H, *gw_out = gb_hh + 3 * H, *gb_out = gw_out + 2 * H;
		float *dgi = ws->gi;	/* reused: Gi is not needed any more */

		/* head */
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 2, H, (int)tb, g->head_gain,
			    ws->dy, 2, ws->hbuf + (size_t)B * H, H, 1.0f, gw_out, H);
		for (size_t i = 0; i < tb; i++) {
			gb_out[0] += ws->dy[2 * i];
			gb_out[1] += ws->dy[2 * i + 1];
		}
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)tb, H, 2, g->head_gain,
			    ws->dy, 2, g->w_out, H, 0.0f, ws->dhh, H);
		memset(ws->dh, 0, (size_t)B * H * sizeof(float));
		for (t = T - 1; t >= 0; t--) {
			const float *hp = ws->hbuf + (size_t)t * B * H;

			for (b = 0; b < B; b++) {
				const size_t row = (size_t)t * B + b;
				const float *rr = ws->r + row * H, *zz = ws->z + row * H;
				const float *nn = ws->n + row * H, *gg = ws->ghn + row * H;
				const float *dhh = ws->dhh + row * H;
				float *dh = ws->dh + (size_t)b * H;
				float *di = dgi + row * H3, *dg = ws->dgh + row * H3;

				for (k = 0; k < H; k++) {
					float d = dh[k] + dhh[k];
					float z = zz[k], n = nn[k], r = rr[k];
					float dn = d * (1.0f - z);
					float dz = d * (hp[(size_t)b * H + k] - n);
					float dan = dn * (1.0f - n * n);
					float dar = dan * gg[k] * r * (1.0f - r);
					float daz = dz * z * (1.0f - z);

					di[k] = dar;
					di[H + k] = daz;
					di[2 * H + k] = dan;
					dg[k] = dar;
					dg[H + k] = daz;
					dg[2 * H + k] = dan * r;
					dh[k] = d * z;
				}
			}
			/* dh_{t-1} += dGh_t W_hh : [B][3H] x [3H][H] */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H3, 1.0f,
				    ws->dgh + (size_t)t * B * H3, H3, g->w_hh, H, 1.0f, ws->dh, H);
		}
		/* weight gradients over all ticks */
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H3, F, (int)tb, 1.0f, dgi, H3,
			    bt->x, F, 1.0f, gw_ih, F);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H3, H, (int)tb, 1.0f, ws->dgh,
			    H3, ws->hbuf, H, 1.0f, gw_hh, H);
		for (size_t i = 0; i < tb; i++) {
			const float *di = dgi + i * H3, *dg = ws->dgh + i * H3;

			for (k = 0; k < H3; k++) {
				gb_ih[k] += di[k];
				gb_hh[k] += dg[k];
			}
		}
	}
}

double tmn_gru_loss(const struct tmn_gru *g, const struct tmn_batch *bt,
		    struct tmn_gru_ws *ws, double smooth)
{
	double sse, cnt, pairs = 0, sm = 0, data = 0;
	size_t tb = (size_t)bt->T * bt->B;
	float *yh = malloc(tb * 2 * sizeof(float));
	int t, b;

	if (!yh)
		return NAN;
	tmn_gru_run(g, bt, ws, 0, 1, 1, NULL, &sse, &cnt, yh, NULL);
	for (size_t i = 0; i < tb; i++) {
		double e0, e1, e2, d2 = bt->huber * bt->huber;

		if (!bt->m[i])
			continue;
		e0 = (double)yh[2 * i] - bt->y[2 * i];
		e1 = (double)yh[2 * i + 1] - bt->y[2 * i + 1];
		e2 = e0 * e0 + e1 * e1;
		data += (bt->w ? bt->w[i % (size_t)bt->B] : 1.0) *
			(bt->huber > 0 ? d2 * (sqrt(1 + e2 / d2) - 1) : e2 / 2);
	}
	for (t = 1; t < bt->T; t++)
		for (b = 0; b < bt->B; b++) {
			size_t i = (size_t)t * bt->B + b, j = i - bt->B;

			if (!bt->m[i] || !bt->m[j])
				continue;
			pairs++;
			for (int k = 0; k < 2; k++) {
				double d = (double)yh[2 * i + k] - yh[2 * j + k];

				sm += (bt->w ? bt->w[b] : 1.0) * d * d;
			}
		}
	free(yh);
	/* N and N_pairs: unweighted counts (what the gradient check passes) */
	return data / cnt + (pairs > 0 ? smooth * sm / (2 * pairs) : 0);
}

void tmn_gru_step1(const struct tmn_gru *g, double *h, const float *x, double yhat[2])
{
	const int F = g->F, H = g->H;
	double a[3 * TMNET_MAX_HIDDEN], c[3 * TMNET_MAX_HIDDEN], hn[TMNET_MAX_HIDDEN];
	int r, k;

	for (r = 0; r < 3 * H; r++) {
		double si = g->b_ih[r], sh = g->b_hh[r];

		for (k = 0; k < F; k++)
			si += (double)g->w_ih[r * F + k] * x[k];
		for (k = 0; k < H; k++)
			sh += (double)g->w_hh[r * H + k] * h[k];
		a[r] = si;
		c[r] = sh;
	}
	for (k = 0; k < H; k++) {
		double rr = 1 / (1 + exp(-(a[k] + c[k])));
		double z = 1 / (1 + exp(-(a[H + k] + c[H + k])));
		double n = tanh(a[2 * H + k] + rr * c[2 * H + k]);

		hn[k] = (1 - z) * n + z * h[k];
	}
	for (k = 0; k < H; k++)
		h[k] = hn[k];
	for (r = 0; r < 2; r++) {
		double s = g->b_out[r];

		for (k = 0; k < H; k++)
			s += (double)g->head_gain * g->w_out[r * H + k] * h[k];
		yhat[r] = s;
	}
}

int tmn_adam_init(struct tmn_adam *a, size_t n, double lr)
{
	memset(a, 0, sizeof(*a));
	a->m = calloc(n, sizeof(float));
	a->v = calloc(n, sizeof(float));
	if (!a->m || !a->v) {
		tmn_adam_free(a);
		return -1;
	}
	a->n = n;
	a->lr = lr;
	a->b1 = 0.9;
	a->b2 = 0.999;
	a->eps = 1e-8;
	return 0;
}

void tmn_adam_free(struct tmn_adam *a)
{
	free(a->m);
	free(a->v);
	a->m = a->v = NULL;
}

double tmn_adam_step(struct tmn_adam *a, float *p, float *grad, double clip)
{
	double nrm = 0, sc = 1, c1, c2;
	size_t i;

	for (i = 0; i < a->n; i++)
		nrm += (double)grad[i] * grad[i];
	nrm = sqrt(nrm);
	if (clip > 0 && nrm > clip)
		sc = clip / nrm;
	a->t++;
	c1 = 1 - pow(a->b1, (double)a->t);
	c2 = 1 - pow(a->b2, (double)a->t);
	for (i = 0; i < a->n; i++) {
		float gi = (float)(grad[i] * sc);

		a->m[i] = (float)(a->b1 * a->m[i] + (1 - a->b1) * gi);
		a->v[i] = (float)(a->b2 * a->v[i] + (1 - a->b2) * gi * gi);
		p[i] -= (float)(a->lr * (a->m[i] / c1) / (sqrt(a->v[i] / c2) + a->eps));
	}
	return nrm;
}
