/*
 * SHA-256 (FIPS 180-4) of a buffer, for names that must become short,
 * fixed-length keys without two of them ever meeting by accident or by
 * design (the hook's owner tag of a domain without a UUID).
 */
#ifndef MVN_SHA256_H
#define MVN_SHA256_H

#include <stddef.h>

#define MVN_SHA256_LEN 32

void mvn_sha256(const void *data, size_t len,
		unsigned char out[MVN_SHA256_LEN]);

#endif
