/* limits.h: the length rules of every stored text, in one place for every dialect. MariaDB
 * counts a VARCHAR's length in characters, so every limit here is in characters (UTF-8 code
 * points), and a field rule that fills a column names its constant with FIELD_CHARS
 * (codec/fields.h). A vendor's tighter documented bound is a constant here too, so no dialect
 * has a literal of its own for a stored text; no dialect may accept more than the column it
 * fills. Change a column's value only together with the migration that changes the column.
 * Never holds a byte bound of a value that is not stored as text (passwords, JSON, echoes). */
#ifndef PROV_LIMITS_H
#define PROV_LIMITS_H

#include "base/valid.h"

enum {
    /* the columns */
    LIMIT_NAME_CHARS = 1024,         /* users.first_name, last_name, full_name (0006) */
    LIMIT_USERNAME_CHARS = 255,      /* users.username */
    LIMIT_EMAIL_BYTES = EMAIL_MAX,   /* users.email (ASCII checked by valid_email) */
    LIMIT_ROLE_CHARS = 128,          /* roles.name */
    LIMIT_GROUP_CODE_CHARS = 64,     /* groups.code */
    LIMIT_RESOURCE_TEXT_CHARS = 255, /* resources.resource_type, employment_type, category */
    LIMIT_HOME_ADDRESS_CHARS = 1024, /* resources.home_address */
    LIMIT_PHONE_CHARS = 32,          /* resources.mobile_phone, user_phones.number */
    LIMIT_PHONE_TYPE_CHARS = 32,     /* user_phones.type */
    LIMIT_COUNTRY_CODE_CHARS = 2,    /* resources.country_code */
    LIMIT_LANGUAGE_CHARS = 35,       /* user_attributes.language_code (ASCII checked) */
    LIMIT_ATTRIBUTE_CHARS = 64,      /* user_attributes.dispatch_group_id, service_team_id,
                                        storage_location_id, work_status */
    LIMIT_MAIL_SUBJECT_CHARS = 255,  /* mail_outbox.subject */
    LIMIT_MAIL_NAME_CHARS = 255,     /* mail_outbox.recipient_name */

    /* vendors' tighter documented bounds on what fills a column above */
    LIMIT_VENDOR_NAME_CHARS = 255,   /* Skedulo firstName/lastName, ServicePower FirstName/
                                        LastName (within LIMIT_NAME_CHARS) */
    LIMIT_VENDOR_USERNAME_CHARS = 50 /* SOAJS username: ASCII letters, digits, _ and -
                                        (valid_username; within LIMIT_USERNAME_CHARS) */
};

#endif
