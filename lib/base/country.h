/* country.h: ISO 3166-1 alpha-2 country codes (resource countryCode). */
#ifndef PROV_COUNTRY_H
#define PROV_COUNTRY_H

#include <stddef.h>

/* 1 when the n bytes at s are an officially assigned alpha-2 code in upper case ("AU"). */
int country_alpha2_valid(const char *s, size_t n);

#endif
