/* sql.c: the statement table behind sql.h. Texts only; preparing and binding is db.c's job. */
#include "store/sql.h"

static const char *const texts[SQL_COUNT] = {
#define SQL_TEXT(name, text) [SQL_##name] = text,
    SQL_STATEMENTS(SQL_TEXT)
#undef SQL_TEXT
};

static const char *const names[SQL_COUNT] = {
#define SQL_NAME(name, text) [SQL_##name] = #name,
    SQL_STATEMENTS(SQL_NAME)
#undef SQL_NAME
};

const char *sql_text(enum sql_id id)
{
    return (unsigned)id < SQL_COUNT ? texts[id] : "";
}

const char *sql_name(enum sql_id id)
{
    return (unsigned)id < SQL_COUNT ? names[id] : "?";
}
