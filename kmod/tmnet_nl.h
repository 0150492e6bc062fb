/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet - the "tmnet" generic netlink family (control plane).
 *
 * The protocol is in uapi/linux/tmnet_genl.h and uapi/tmnet.yaml.  The
 * family is registered after the devices exist and unregistered before
 * they go away (kmod/tmnet_main.c).
 */
#ifndef TMNET_NL_H
#define TMNET_NL_H

int tmnet_nl_init(void);
void tmnet_nl_exit(void);

#endif /* TMNET_NL_H */
