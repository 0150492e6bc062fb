#include "tmnet.h"
#include <stdio.h>
int cmd_active(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "not yet\n");
	return 1;
}
