/* rows.c: reading result rows into the database layer's structs: texts copied out, integers, pages. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int64_t db_integer_of(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

struct db_int_text db_int_text(int64_t v)
{
    struct db_int_text t;
    snprintf(t.s, sizeof t.s, "%" PRId64, v);
    return t;
}

char *db_row_text_new(const PGresult *res, int row, const int *cols, int n, const char **out)
{
    size_t size = 0;
    for (int i = 0; i < n; i++)
        size += PQgetisnull(res, row, cols[i]) ? 0 : (size_t)PQgetlength(res, row, cols[i]) + 1;
    char *block = malloc(size ? size : 1);
    if (block == NULL)
        return NULL;
    char *p = block;
    for (int i = 0; i < n; i++) {
        if (PQgetisnull(res, row, cols[i])) {
            out[i] = NULL;
            continue;
        }
        size_t len = (size_t)PQgetlength(res, row, cols[i]);
        memcpy(p, PQgetvalue(res, row, cols[i]), len + 1);
        out[i] = p;
        p += len + 1;
    }
    return block;
}

int db_page_rows(const PGresult *res, unsigned limit, int key_col, int id_col,
                 struct db_page_end *end)
{
    int rows = PQntuples(res);
    end->more = rows > (int)limit;
    if (end->more)
        rows = (int)limit;
    if (rows > 0) {
        snprintf(end->last_key, sizeof end->last_key, "%s", PQgetvalue(res, rows - 1, key_col));
        end->last_id = db_integer_of(res, rows - 1, id_col);
    }
    return rows;
}
