"""The Teamsale-compatible API (issue 22): `/v1/zcrm/*` as Zadarma publishes it
(../shared/reference/zadarma-openapi/openapiteamsale.json), a thin edge translating onto our
services. `edge` authenticates (Zadarma's signed `Authorization`), parses (form or JSON bodies,
PHP bracket names), wraps answers in `{"status": "success", "data": ...}` and maps errors to
`{"status": "error", "message": ...}`; `mapping` translates ids, enums and records; one module
per resource group declares the operations. docs/teamsale-migration.md says what maps to what.
"""
