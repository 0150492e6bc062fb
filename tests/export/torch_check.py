#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tests/export/torch_check.py SNIPPET DIR RECORDING.csv DUMP.csv [BOUND]

Runs the PyTorch reference exactly as an export ships it against the C
float network.  SNIPPET is the model card (DIR/README.md: its ```python
block is taken verbatim) or a tmnet_torch.py; when DIR has a
tmnet_torch.py it must be byte-identical to the card's block.  The snippet
rebuilds torch.nn.GRU + nn.Linear from DIR/model.safetensors and
DIR/config.json alone and streams RECORDING (canonical CSV) tick by tick:
features, normalisation, output scale, and for System B the Kalman prior,
all computed in the snippet from config.json.  DUMP is
`tmnet eval --float CKPT --dump-float DUMP -s all` on the same recording.

Per defined tick (the filter initialised; the same flag in both):
  position  ||p_torch - p_C|| / max(||p_C||, 1 data unit)  <= BOUND (1e-5)
  output    |y_torch - y_C| (normalised network output)      <= BOUND
Prints comment lines: ticks compared, the maxima, the tick of the worst.
Exit 0 when both hold on every tick and the flags agree, else 1.
"""
import importlib.util
import math
import os
import sys
import tempfile


def card_block(path):
    text = open(path).read()
    a = text.index('```python\n') + len('```python\n')
    return text[a:text.index('```\n', a)]


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    snip, d, rec, dump = sys.argv[1:5]
    bound = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-5
    code = card_block(snip) if snip.endswith('.md') else open(snip).read()
    shipped = os.path.join(d, 'tmnet_torch.py')
    if os.path.exists(shipped) and open(shipped).read() != code:
        print('# %s differs from the model card\'s snippet (%s)' % (shipped, snip))
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'card_snippet.py')
        open(path, 'w').write(code)
        spec = importlib.util.spec_from_file_location('card_snippet', path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    cdump = open(dump)
    n = flags_bad = 0
    maxrel = maxy = maxabs = ymag = 0.0
    worst = -1
    with open(rec) as f:
        for (ok, pos, yn), line in zip(mod.stream(d, mod.read_csv(f)), cdump):
            c = line.rstrip('\n').split(',')
            if ok != (c[1] == '1'):
                flags_bad += 1
                continue
            if not ok:
                continue
            px, py, y0, y1 = float(c[-2]), float(c[-1]), float(c[-4]), float(c[-3])
            e = math.hypot(pos[0] - px, pos[1] - py)
            rel = e / max(math.hypot(px, py), 1.0)
            if rel > maxrel:
                maxrel, worst = rel, int(c[0])
            maxabs = max(maxabs, e)
            maxy = max(maxy, abs(float(yn[0]) - y0), abs(float(yn[1]) - y1))
            ymag = max(ymag, abs(y0), abs(y1))
            n += 1
    left = cdump.readline()
    import torch
    print('# torch %s (float64): %s: %d ticks compared, max relative position difference %.3e '
          '(tick %d), max absolute %.3e data units, max |y| difference %.3e (max |y| %.3g, '
          'normalised), defined-flag mismatches %d, bound %g'
          % (torch.__version__, d, n, maxrel, worst, maxabs, maxy, ymag, flags_bad, bound))
    if left:
        print('# the dump has more ticks than the recording')
        return 1
    return 0 if n > 0 and not flags_bad and maxrel <= bound and maxy <= bound and ymag > 1e-3 else 1


if __name__ == '__main__':
    sys.exit(main())
