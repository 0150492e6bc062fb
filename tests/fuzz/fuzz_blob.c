// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the model-blob validator.  The first input byte is
 * a mode: bit 0 set -> the CRC field is recomputed, so the fuzzer reaches
 * the semantic checks behind the CRC.  Any blob that validates is then run
 * through the pipeline for 64 ticks in every mode, so the tick
 * path also meets strange-but-valid models.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tm_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tm_model m;
	static struct tm_state st;
	struct tm_blob_error e;
	uint8_t *b;
	size_t n;
	uint8_t mode;

	if (size < 1 || size > TMNET_BLOB_MAX_SIZE + 1)
		return 0;
	mode = data[0];
	n = size - 1;
	b = malloc(n ? n : 1);		/* exact size: ASan catches overreads */
	if (!b)
		return 0;
	memcpy(b, data + 1, n);
	if ((mode & 1) && n >= sizeof(struct tmnet_blob_hdr)) {
		size_t off = offsetof(struct tmnet_blob_hdr, crc32);
		uint32_t crc;

		memset(b + off, 0, 4);
		crc = tm_crc32(0, b, (uint32_t)n);
		memcpy(b + off, &crc, 4);
	}
	if (tm_model_from_blob(&m, b, (uint32_t)n, &e) == 0) {
		for (uint32_t mdl = 0; mdl < __TMNET_SYS_MAX; mdl++) {
			struct tm_cfg cfg;

			tm_cfg_from_model(&cfg, &m);
			cfg.mode = mdl;
			tm_state_reset(&st);
			for (int t = 0; t < 64; t++) {
				struct tmnet_sample s = {
					.t_ns = (uint64_t)t * 500000,
					.x = (int32_t)(t * 977 * (mode | 1)),
					.y = (int32_t)(-t * 313),
					.vx = (int32_t)(mode << 18),
					.vy = -(int32_t)(mode << 17),
					.flags = (t % 7) ? TMNET_SAMPLE_VALID : 0,
				};
				struct tmnet_pred out;

				tm_tick(&st, &m, &cfg, &s, &out, NULL);
			}
		}
	} else if (e.code == TMNET_BLOB_OK || e.code >= __TMNET_BLOB_E_MAX) {
		abort();	/* a failure must say why */
	}
	free(b);
	return 0;
}
