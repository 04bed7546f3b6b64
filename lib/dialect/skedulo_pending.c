/* skedulo_pending.c: placeholders answering 501 until the Skedulo endpoints are implemented. */
#include "skedulo.h"

#include "dialect.h"

void skedulo_users_post(struct ctx *c) { skedulo_error(c, 501, "Not implemented yet"); }
void skedulo_users_patch(struct ctx *c) { skedulo_error(c, 501, "Not implemented yet"); }
void skedulo_bulk_post(struct ctx *c) { skedulo_error(c, 501, "Not implemented yet"); }
void skedulo_file_post(struct ctx *c) { skedulo_error(c, 501, "Not implemented yet"); }
void skedulo_task_status(struct ctx *c) { skedulo_error(c, 501, "Not implemented yet"); }
