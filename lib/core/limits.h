/* limits.h: what the store's columns hold, in one place for every dialect. MariaDB counts a
 * VARCHAR's length in characters, so these are characters; a dialect whose vendor sets a
 * tighter bound (in bytes or characters) keeps that as its own rule, but no dialect may
 * accept more than the column it fills. Change a value only together with the migration
 * that changes the column. */
#ifndef PROV_LIMITS_H
#define PROV_LIMITS_H

#include "base/valid.h"

enum {
    LIMIT_NAME_CHARS = 1024,         /* users.first_name, last_name, full_name (0006) */
    LIMIT_USERNAME_CHARS = 255,      /* users.username */
    LIMIT_EMAIL_BYTES = EMAIL_MAX,   /* users.email (ASCII checked by valid_email) */
    LIMIT_ROLE_CHARS = 128,          /* roles.name */
    LIMIT_GROUP_CODE_CHARS = 64,     /* groups.code */
    LIMIT_RESOURCE_TEXT_CHARS = 255, /* resources.resource_type, employment_type, category */
    LIMIT_HOME_ADDRESS_CHARS = 1024, /* resources.home_address */
    LIMIT_PHONE_CHARS = 32,          /* resources.mobile_phone, user_phones.number */
    LIMIT_MAIL_SUBJECT_CHARS = 255,  /* mail_outbox.subject */
    LIMIT_MAIL_NAME_CHARS = 255      /* mail_outbox.recipient_name */
};

#endif
