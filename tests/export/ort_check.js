#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0
/*
 * tests/export/ort_check.js MODEL.onnx DUMP.csv RECORDING.csv [BOUND]
 * tests/export/ort_check.js --bench MODEL.onnx [STEPS]
 *
 * Streams a recording through model.onnx with ONNX Runtime
 * (onnxruntime-node, CPU, one thread), one run per tick, feeding h_out
 * back as h_in (zeros at the start and at every new segment, seg = 1 in
 * the recording), and compares every defined tick's position with the C
 * float network's (tmnet eval --float --dump-float -s all on RECORDING:
 * the dump's raw features and base are the graph's inputs).  Relative difference:
 * ||p_ort - p_C|| / max(||p_C||, 1 data unit).  Prints comment lines and
 * exits 1 when the maximum exceeds BOUND (default 1e-5).
 *
 * --bench: times session.run for one streaming step (after 2000 warm-up
 * steps) and prints P50/P99/P99.9 and the mean in ns.
 */
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function session(path) {
	return ort.InferenceSession.create(path, {
		intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
	});
}

function dims(s, name) {
	// the graph's own declared shapes (checked by python3-onnx)
	const meta = s.inputMetadata;
	if (meta) {
		for (const m of Array.isArray(meta) ? meta : Object.values(meta))
			if (m.name === name && m.shape)
				return m.shape;
	}
	return null;
}

async function check(model, dump, rec, bound) {
	const rows = fs.readFileSync(dump, 'utf8').split('\n').filter((l) => l.length);
	const seg = fs.readFileSync(rec, 'utf8').split('\n').filter((l) => /^[0-9]/.test(l))
		.map((l) => l.split(',')[6] === '1');
	if (seg.length !== rows.length)
		throw new Error(`${rec} has ${seg.length} ticks, ${dump} ${rows.length}`);
	const ncol = rows[0].split(',').length;
	const F = ncol - 8;	// tick, defined, f0..f(F-1), base x y, y0 y1, pos x y
	const s = await session(model);
	const hd = dims(s, 'h_in');
	const H = hd ? Number(hd[2]) : null;
	if (!H)
		throw new Error('cannot read h_in\'s shape from the model');
	let h = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
	let maxrel = 0, maxabs = 0, n = 0, worst = -1, segs = 0;
	for (const [i, line] of rows.entries()) {
		const c = line.split(',').map(Number);
		if (seg[i]) {
			h = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
			segs++;
		}
		const feats = new Float32Array(c.slice(2, 2 + F));
		const base = new Float32Array([c[2 + F], c[3 + F]]);
		const out = await s.run({
			features: new ort.Tensor('float32', feats, [1, F]),
			base: new ort.Tensor('float32', base, [1, 2]),
			h_in: h,
		});
		h = out.h_out;
		if (c[1] !== 1)
			continue;
		const px = c[6 + F], py = c[7 + F];
		const p = out.position.data;
		const e = Math.hypot(p[0] - px, p[1] - py);
		const rel = e / Math.max(Math.hypot(px, py), 1);
		if (rel > maxrel) {
			maxrel = rel;
			worst = c[0];
		}
		maxabs = Math.max(maxabs, e);
		n++;
	}
	console.log(`# onnxruntime-node ${require('onnxruntime-node/package.json').version}: ${model}: ` +
		    `${n} ticks compared (F=${F}, H=${H}, ${segs + 1} segments), max relative difference ${maxrel.toExponential(3)} ` +
		    `(tick ${worst}), max absolute ${maxabs.toExponential(3)} data units, bound ${bound}`);
	return n > 0 && maxrel <= bound;
}

async function bench(model, steps) {
	const s = await session(model);
	const hd = dims(s, 'h_in'), fd = dims(s, 'features');
	const H = Number(hd[2]), F = Number(fd[1]);
	let h = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
	const base = new ort.Tensor('float32', new Float32Array([1, 2]), [1, 2]);
	const t = new Float64Array(steps);
	for (let i = -2000; i < steps; i++) {
		const f = new Float32Array(F);
		for (let k = 0; k < F; k++)
			f[k] = Math.sin(0.001 * i + k);
		const t0 = process.hrtime.bigint();
		const out = await s.run({ features: new ort.Tensor('float32', f, [1, F]), base, h_in: h });
		const t1 = process.hrtime.bigint();
		h = out.h_out;
		if (i >= 0)
			t[i] = Number(t1 - t0);
	}
	t.sort();
	const q = (p) => t[Math.min(steps - 1, Math.floor(p * (steps - 1)))];
	const mean = t.reduce((a, b) => a + b, 0) / steps;
	console.log(`onnxruntime-node ${require('onnxruntime-node/package.json').version} session.run, one ` +
		    `step (F=${F}, H=${H}), ${steps} steps: P50 ${q(0.5).toFixed(0)} ns, P99 ` +
		    `${q(0.99).toFixed(0)} ns, P99.9 ${q(0.999).toFixed(0)} ns, mean ${mean.toFixed(0)} ns`);
}

(async () => {
	const a = process.argv.slice(2);
	if (a[0] === '--bench') {
		await bench(a[1], Number(a[2] || 20000));
		return;
	}
	if (a.length < 3) {
		console.error('usage: ort_check.js MODEL.onnx DUMP.csv RECORDING.csv [BOUND] | --bench MODEL.onnx [STEPS]');
		process.exit(2);
	}
	const ok = await check(a[0], a[1], a[2], Number(a[3] || 1e-5));
	process.exit(ok ? 0 : 1);
})().catch((e) => {
	console.log(`# error: ${e.message}`);
	process.exit(1);
});
