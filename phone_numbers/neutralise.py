"""Values a spreadsheet would run as a formula get a leading apostrophe (OWASP "CSV injection")."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same test in SQL: one left() per value is cheap; a regex per value costs half the speed
# (research/limits.md).
FORMULA_STARTS_SQL = "'=', '+', '-', '@', chr(9), chr(13)"


def neutralise(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def neutralise_sql(column: str) -> str:
    starts_like_a_formula = f"left({column}, 1) IN ({FORMULA_STARTS_SQL})"
    return f"CASE WHEN {starts_like_a_formula} THEN '''' || {column} ELSE {column} END"
