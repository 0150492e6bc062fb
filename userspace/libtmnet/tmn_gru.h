/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Float GRU (PyTorch layout, gate order r, z, n) + linear head, trained with
 * truncated BPTT over fixed windows.  Batched matrix work goes through
 * OpenBLAS sgemm; only the element-wise gate maths is written here.
 *
 * Parameters live in one flat vector (for Adam and checkpoints):
 *   w_ih[3H][F], w_hh[3H][H], b_ih[3H], b_hh[3H], w_out[2][H], b_out[2]
 */
#ifndef TMN_GRU_H
#define TMN_GRU_H

#include <stddef.h>
#include <stdint.h>

#include "quant.h"

struct tmn_gru {
	int F, H;
	/*
	 * Fixed multiplier on the head: yhat = head_gain W_out h + b_out.  With
	 * Adam (whose steps are ~lr per parameter whatever the gradient scale)
	 * this lets the head reach the gains the B residual needs within the
	 * few hundred steps of 15 epochs.  Exported folded into W_out.
	 */
	float head_gain;
	size_t np;
	float *p;
	/* views into p */
	float *w_ih, *w_hh, *b_ih, *b_hh, *w_out, *b_out;
};

int tmn_gru_init(struct tmn_gru *g, int F, int H);	/* zeroed params */
void tmn_gru_free(struct tmn_gru *g);
size_t tmn_gru_nparams(int F, int H);
void tmn_gru_bind(struct tmn_gru *g, float *p);		/* set views into p */
/* PyTorch-style init U(-1/sqrt(H), 1/sqrt(H)) */
void tmn_gru_randomize(struct tmn_gru *g, uint64_t seed);
void tmn_gru_to_quant(const struct tmn_gru *g, struct tmq_gru *q);

/*
 * A batch: T ticks x B sequences, tick-major.
 *   x[(t*B + b)*F], y[(t*B + b)*2], m[t*B + b] (loss weight 0/1)
 * Loss = sum_m l(yhat - y) / N
 *      + smooth * sum_{m_t m_{t-1}} ||yhat_t - yhat_{t-1}||^2 / (2 N_pairs)
 * with l(e) = ||e||^2 / 2 (mean squared error) when huber == 0, else the
 * pseudo-Huber loss of the Euclidean error, l(e) = d^2 (sqrt(1 + ||e||^2/d^2) - 1)
 * with d = huber: ||e||^2 / 2 for small errors, d ||e|| for large ones, so
 * that the network leans to the conditional median rather than the mean.
 * (each term of sequence b times its weight w[b] when w is given)
 * where N and N_pairs are counted over the whole batch given by the caller
 * (norm_n, norm_pairs), so halves of a batch can run on different threads.
 */
struct tmn_batch {
	int T, B;
	const float *x, *y;
	const uint8_t *m;
	const float *h0;	/* [B][H] initial state or NULL (zeros) */
	const float *w;		/* [B] per-sequence loss weight or NULL (ones) */
	double huber;		/* pseudo-Huber scale d (normalised units), 0 = MSE */
};

struct tmn_gru_ws;	/* workspace, per thread */
struct tmn_gru_ws *tmn_gru_ws_new(int F, int H, int T, int B);
void tmn_gru_ws_free(struct tmn_gru_ws *w);
/* hidden state [B][H] after tick t of the last run with B sequences */
const float *tmn_gru_ws_state(const struct tmn_gru_ws *ws, int t, int B);

/*
 * Forward (and backward when grad != NULL; grad is accumulated, not
 * cleared).  Returns the sum of squared errors over masked entries (both
 * outputs) in *sse and the number of masked ticks in *cnt.  yhat_out, when
 * not NULL, receives [T*B][2].  per_seq (may be NULL) receives each
 * sequence's sum of squared errors [B].
 */
void tmn_gru_run(const struct tmn_gru *g, const struct tmn_batch *bt, struct tmn_gru_ws *ws,
		 double smooth, double norm_n, double norm_pairs, float *grad,
		 double *sse, double *cnt, float *yhat_out, double *per_seq);

/* The total loss as defined above (for the gradient check) */
double tmn_gru_loss(const struct tmn_gru *g, const struct tmn_batch *bt,
		    struct tmn_gru_ws *ws, double smooth);

/* Streaming: one step on one sequence in double (evaluation) */
void tmn_gru_step1(const struct tmn_gru *g, double *h, const float *x, double yhat[2]);

struct tmn_adam {
	size_t n;
	float *m, *v;
	long t;
	double lr, b1, b2, eps;
};

int tmn_adam_init(struct tmn_adam *a, size_t n, double lr);
void tmn_adam_free(struct tmn_adam *a);
/* clip the gradient to global L2 norm <= clip (if clip > 0); returns the norm */
double tmn_adam_step(struct tmn_adam *a, float *p, float *grad, double clip);

#endif /* TMN_GRU_H */
