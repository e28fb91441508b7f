/*
 * makegood_plugin.h: the C interface of libmakegood_plugin.
 *
 * For POS software written in any language that can call C (C#, Java,
 * Delphi, Python through ctypes or cffi): connect to makegoodd, publish the
 * POS's order events, flag a guest's problem and apply a remedy from the
 * POS screen, and receive the remedies makegood sends to the POS.
 *
 * Conventions
 * - Every function that can fail returns an mg_status; MG_OK is 0 and the
 *   other values are the gRPC status codes. After a failure, mg_last_error()
 *   gives a message that names what is wrong, for the calling thread.
 * - Handles are opaque. Strings are NUL-terminated UTF-8. Strings the
 *   library returns belong to the handle they came from and live as long as
 *   it; copy them to keep them.
 * - Money is in minor units of the location's currency (cents), int64_t.
 * - An enum argument (or field) holding a value its enum does not name is
 *   MG_INVALID_ARGUMENT, checked before anything is sent. So is a token
 *   (options.token, staff_token) with a byte outside 0x21 to 0x7E: a token
 *   is printable ASCII without spaces.
 * - Thread-safe: one mg_client may be used from several threads at once.
 *   No C++ exception ever leaves the library.
 * - Compatibility: the SONAME carries MG_PLUGIN_ABI_VERSION. Within one ABI
 *   version functions are only ever added, and fields only at the end of
 *   structs the library fills (mg_command, mg_option). A struct the caller
 *   fills never grows, since a program built against an older header would
 *   pass a shorter one: settings added later come in a new struct whose
 *   first field is its size (mg_connect_credentials).
 */
#ifndef MAKEGOOD_PLUGIN_H_
#define MAKEGOOD_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MG_API __attribute__((visibility("default")))
#else
#define MG_API
#endif

#define MG_PLUGIN_ABI_VERSION 1

typedef enum mg_status {
  MG_OK = 0,
  MG_CANCELLED = 1,
  MG_UNKNOWN = 2,
  MG_INVALID_ARGUMENT = 3, /* the request is wrong; the message says how */
  MG_DEADLINE_EXCEEDED = 4,
  MG_NOT_FOUND = 5,         /* an unknown check, line, case or command */
  MG_ALREADY_EXISTS = 6,    /* a request_id reused with a different request */
  MG_PERMISSION_DENIED = 7, /* the token's role may not do this */
  MG_RESOURCE_EXHAUSTED = 8,
  MG_FAILED_PRECONDITION = 9, /* not possible in the case's state */
  MG_ABORTED = 10,
  MG_OUT_OF_RANGE = 11,
  MG_UNIMPLEMENTED = 12,
  MG_INTERNAL = 13,
  MG_UNAVAILABLE = 14, /* makegoodd cannot be reached; retry later */
  MG_DATA_LOSS = 15,
  MG_UNAUTHENTICATED = 16 /* the token is unknown */
} mg_status;

/* The ABI version the library was built with (MG_PLUGIN_ABI_VERSION). */
MG_API int mg_abi_version(void);

/* The message of this thread's last failed call ("" when none failed). */
MG_API const char* mg_last_error(void);

/* "OK", "INVALID_ARGUMENT", ...; "UNKNOWN_STATUS" for a value that is no
 * mg_status. */
MG_API const char* mg_status_name(mg_status status);

/* ---- Connecting -------------------------------------------------------- */

typedef struct mg_client mg_client;

typedef struct mg_connect_options {
  /* "host:port" of makegoodd, e.g. "127.0.0.1:50051". Required. */
  const char* target;
  /* Bearer token of this POS terminal, an ADAPTER token to publish events
   * and receive commands. Required, unless mg_connect_with_credentials
   * reads it from credentials.token_file. */
  const char* token;
  /* PEM file of the CA that signed makegoodd's certificate: connect with
   * TLS. NULL: plaintext, which makegoodd accepts on loopback only. */
  const char* tls_ca_file;
  /* Deadline of each call in milliseconds; 0 means 10000. */
  int timeout_ms;
} mg_connect_options;

/* Creates a client and checks that makegoodd answers and knows the token.
 * On success *client is set; free it with mg_disconnect. */
MG_API mg_status mg_connect(const mg_connect_options* options,
                            mg_client** client);

/* What mg_connect_with_credentials adds to mg_connect_options: the token
 * in a file, and a client certificate for mutual TLS. Fill it as
 *   mg_connect_credentials credentials;
 *   memset(&credentials, 0, sizeof credentials);
 *   credentials.struct_size = sizeof credentials;
 * so that fields added to it later read as NULL. */
typedef struct mg_connect_credentials {
  /* sizeof(mg_connect_credentials) as the caller was compiled with.
   * Required: a size the library does not know is MG_INVALID_ARGUMENT. */
  size_t struct_size;
  /* A file holding the token alone (whitespace around it is ignored),
   * read once by mg_connect_with_credentials, instead of options.token,
   * which must then be NULL. Keeps the token out of the POS's own
   * configuration; keep the file readable by the POS's user only. NULL:
   * options.token. */
  const char* token_file;
  /* PEM client certificate (chain) and its unencrypted private key,
   * presented to makegoodd when its server.tls.client_ca_file asks for
   * one (mutual TLS). Both or neither, and only with options.tls_ca_file.
   * NULL: no client certificate. */
  const char* tls_cert_file;
  const char* tls_key_file;
} mg_connect_credentials;

/* mg_connect with `credentials` too; NULL credentials is mg_connect. A
 * file that cannot be read, an empty token file, a certificate without its
 * key or without options.tls_ca_file: MG_INVALID_ARGUMENT naming the field
 * ("credentials.tls_key_file: ..."). A handshake makegoodd refuses (no
 * client certificate, or one its CA did not sign; a server certificate
 * tls_ca_file did not sign): MG_UNAVAILABLE with gRPC's reason, after up
 * to timeout_ms of trying (makegoodd may be starting). */
MG_API mg_status mg_connect_with_credentials(
    const mg_connect_options* options,
    const mg_connect_credentials* credentials, mg_client** client);

/* Stops receiving commands (waiting for a running callback to return) and
 * frees the client. NULL is allowed. */
MG_API void mg_disconnect(mg_client* client);

/* ---- Order events ------------------------------------------------------ */

typedef struct mg_publish_summary {
  int accepted;   /* stored */
  int duplicates; /* already stored earlier under the same event_id */
  int rejected;   /* refused; see mg_last_error for the first one */
} mg_publish_summary;

/* Publishes order events, each one OrderEvent of proto/makegood/v1 in the
 * protobuf JSON mapping, for example
 *   {"eventId":"e-1","source":"mypos","locationId":"main-st","checkId":"1042",
 *    "occurredAt":"2026-11-20T19:02:00Z","checkOpened":{"table":"12"}}
 * Resending an event is harmless: it is counted as a duplicate.
 * An event that is not valid JSON of an OrderEvent fails the call with
 * MG_INVALID_ARGUMENT and nothing is sent. Events makegoodd refuses are
 * counted in summary->rejected (the others are stored) and the call returns
 * MG_INVALID_ARGUMENT naming the first. `summary` may be NULL. */
MG_API mg_status mg_publish_events(mg_client* client,
                                   const char* const* events_json, size_t count,
                                   mg_publish_summary* summary);

/* ---- Recovery: flag a problem, apply a remedy -------------------------- */

typedef enum mg_severity {
  MG_SEVERITY_MINOR = 1,
  MG_SEVERITY_MAJOR = 2,
  MG_SEVERITY_SEVERE = 3
} mg_severity;

/* The kinds of remedy (RemedyKind of the contract). A kind this header does
 * not name (sent by a newer makegoodd) reads as MG_REMEDY_UNSPECIFIED; the
 * json of the case or command has it. */
typedef enum mg_remedy_kind {
  MG_REMEDY_UNSPECIFIED = 0,
  MG_REMEDY_REMAKE = 1,
  MG_REMEDY_COMP_ITEM = 2,
  MG_REMEDY_DISCOUNT_ITEM = 3,
  MG_REMEDY_DISCOUNT_CHECK = 4,
  MG_REMEDY_COMPLIMENTARY_ITEM = 5,
  MG_REMEDY_DISCOUNT_CODE = 6,
  MG_REMEDY_REFUND = 7,
  MG_REMEDY_REPLACE = 8,
  MG_REMEDY_MANAGER_VISIT = 9
} mg_remedy_kind;

typedef struct mg_flag_request {
  /* Token of the staff member who pressed the button (SERVER or MANAGER).
   * NULL: the client's own token. */
  const char* staff_token;
  /* Required, unique per button press: a retry with the same id returns the
   * first answer and opens no second case. */
  const char* request_id;
  const char* check_id;
  /* The problem lines; line_count 0 flags the whole check (a long wait). */
  const char* const* line_ids;
  size_t line_count;
  /* A category of the configuration, e.g. "cold_food". */
  const char* category_id;
  /* One of mg_severity; another value is MG_INVALID_ARGUMENT. */
  mg_severity severity;
  /* The guest's own words; may be NULL. */
  const char* guest_words;
} mg_flag_request;

typedef struct mg_option {
  const char* option_id; /* what mg_apply_request.option_id names */
  const char* label;     /* "Refire the item", for the staff screen */
  mg_remedy_kind kind;
  int64_t estimated_cost_minor;
} mg_option;

/* A recovery case as makegoodd answered it. */
typedef struct mg_case mg_case;

MG_API const char* mg_case_id(const mg_case* recovery_case);
/* "OPEN", "PENDING_APPROVAL", "REMEDY_APPLIED", "RESOLVED", "GUEST_LEFT". */
MG_API const char* mg_case_status(const mg_case* recovery_case);
/* The category's guidance for the staff member. */
MG_API const char* mg_case_guidance(const mg_case* recovery_case);
/* The ranked options (one is chosen) and the extras (added on top). */
MG_API const mg_option* mg_case_options(const mg_case* recovery_case,
                                        size_t* count);
MG_API const mg_option* mg_case_extras(const mg_case* recovery_case,
                                       size_t* count);
/* What the applied remedies cost so far. */
MG_API int64_t mg_case_total_cost_minor(const mg_case* recovery_case);
/* The whole RecoveryCase in the protobuf JSON mapping. */
MG_API const char* mg_case_json(const mg_case* recovery_case);
/* NULL is allowed. */
MG_API void mg_case_free(mg_case* recovery_case);

/* Opens a recovery case; on success *recovery_case is set (free it with
 * mg_case_free). MG_NOT_FOUND: unknown check or line. */
MG_API mg_status mg_flag_problem(mg_client* client,
                                 const mg_flag_request* request,
                                 mg_case** recovery_case);

typedef struct mg_apply_request {
  /* As in mg_flag_request. */
  const char* staff_token;
  const char* request_id;
  const char* case_id;
  const char* option_id;
  /* Extras to add; may be empty. */
  const char* const* extra_option_ids;
  size_t extra_count;
  /* May be NULL. */
  const char* note;
} mg_apply_request;

/* Applies an offered option: within the staff member's authority the remedy
 * goes to the POS as a command; above it the case waits for a manager
 * (status "PENDING_APPROVAL"). On success *recovery_case is set. */
MG_API mg_status mg_apply_remedy(mg_client* client,
                                 const mg_apply_request* request,
                                 mg_case** recovery_case);

/* ---- Remedy commands: what the POS must carry out ---------------------- */

typedef enum mg_command_type {
  MG_COMMAND_APPLY_REMEDY = 1,
  MG_COMMAND_GUEST_FOLLOW_UP = 2
} mg_command_type;

/* One command; every pointer is valid during the callback only. */
typedef struct mg_command {
  const char* command_id; /* stable: a redelivered command has the same id */
  const char* case_id;
  const char* location_id;
  const char* check_id;
  int delivery_attempt; /* 1 the first time, more when redelivered */
  mg_command_type type;
  /* For MG_COMMAND_APPLY_REMEDY: */
  mg_remedy_kind kind;
  const char* line_id;  /* "" for the whole check */
  int64_t amount_minor; /* money off, when an amount */
  int32_t percent_bps;  /* percent off in basis points (10000 = 100%) */
  const char* sku;      /* the item to add (COMPLIMENTARY_ITEM, REPLACE) */
  const char* discount_code;
  const char* reason;
  int waste; /* nonzero: the comped item was already made */
  /* The whole RemedyCommand in the protobuf JSON mapping. */
  const char* json;
} mg_command;

typedef void (*mg_command_callback)(const mg_command* command, void* user_data);

/* Starts receiving this location's remedy commands on a library thread,
 * which calls `callback` once per delivery, in order. Unacknowledged
 * commands are delivered again after a reconnect: keep the command ids you
 * applied. The connection is kept up (reconnecting with backoff) until
 * mg_stop_commands or mg_disconnect. `adapter_name` labels this terminal in
 * makegoodd's records. MG_FAILED_PRECONDITION when already receiving. */
MG_API mg_status mg_receive_commands(mg_client* client,
                                     const char* adapter_name,
                                     mg_command_callback callback,
                                     void* user_data);

/* Stops receiving; returns after a running callback has returned. Must not
 * be called from the callback. */
MG_API void mg_stop_commands(mg_client* client);

typedef enum mg_ack_result {
  MG_ACK_APPLIED = 1, /* carried out; pos_reference says where */
  MG_ACK_REJECTED = 2 /* the POS refused; vendor_reason says why, and the
                         staff are offered the next option */
} mg_ack_result;

/* Acknowledges a command; may be called from the callback or later.
 * Acknowledging the same command again changes nothing. A result other
 * than MG_ACK_APPLIED or MG_ACK_REJECTED is MG_INVALID_ARGUMENT. */
MG_API mg_status mg_ack_command(mg_client* client, const char* command_id,
                                mg_ack_result result, const char* pos_reference,
                                const char* vendor_reason);

#ifdef __cplusplus
}
#endif

#endif /* MAKEGOOD_PLUGIN_H_ */
