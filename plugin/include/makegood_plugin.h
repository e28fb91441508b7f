/*
 * makegood_plugin.h: the C interface of libmakegood_plugin.
 *
 * For POS software written in any language that can call C (C#, Java,
 * Delphi, Python through ctypes or cffi): connect to makegoodd, publish the
 * POS's order events, flag a guest's problem and apply a remedy from the
 * POS screen, and receive the remedies makegood sends to the POS. A POS
 * that hosts the manager's screen too follows the cases and alerts live,
 * approves or denies what waits for a manager, and records the outcome.
 *
 * Conventions
 * - Every function that can fail returns an mg_status; MG_OK is 0 and the
 *   other values are the gRPC status codes. After a failure, mg_last_error()
 *   gives a message that names what is wrong, for the calling thread.
 * - Handles are opaque. Strings are NUL-terminated UTF-8. Strings and
 *   structs the library returns (mg_case_id, mg_case_options,
 *   mg_case_remedy, ...) belong to the handle they came from and live
 *   until it is freed (mg_case_free); copy them to keep them. What a
 *   callback is given lives during the call only. Strings the caller
 *   passes are copied before the call returns: they may be freed then.
 * - Money is in minor units of the location's currency (cents), int64_t.
 * - An enum argument (or field) holding a value its enum does not name is
 *   MG_INVALID_ARGUMENT, checked before anything is sent. So is a token
 *   (options.token, staff_token) with a byte outside 0x21 to 0x7E: a token
 *   is printable ASCII without spaces.
 * - Enums the library fills (mg_remedy_kind, mg_watch_change,
 *   mg_alert_kind, mg_watch_start) may hold a value this header does not
 *   name, from a newer library of the same ABI version: treat it as the
 *   enum's 0 (unspecified, MG_WATCH_OTHER), whose json has the rest.
 * - Thread-safe: one mg_client may be used from several threads at once.
 *   No C++ exception ever leaves the library.
 * - Callbacks (commands, watches) run on threads the library owns, one
 *   call at a time per receiver or watch; they may call the library, but
 *   not wait for themselves: a callback must not call mg_stop_commands or
 *   mg_disconnect of its own command receiver's client, and no thread may
 *   stop a receiver or watch (mg_stop_commands, mg_disconnect,
 *   mg_watch_stop) while holding a lock that receiver's or watch's
 *   callback takes: the stop waits for the running callback, which waits
 *   for the lock. user_data is the caller's and must outlive the stop.
 * - Compatibility: the SONAME carries MG_PLUGIN_ABI_VERSION. Within one ABI
 *   version functions are only ever added, and fields only at the end of
 *   structs the library hands out one at a time (mg_command, mg_remedy,
 *   mg_watch_update); mg_option, which comes in arrays, never grows. A
 *   struct the caller fills without a size never grows either, since a
 *   program built against an older header would pass a shorter one:
 *   settings added later come in a new struct whose first field is its
 *   size (mg_connect_credentials). Structs added since start with their
 *   size (mg_approve_request, mg_outcome_request, mg_watch_options), so
 *   they may grow; a size the library does not know is
 *   MG_INVALID_ARGUMENT. Functions added after the first release carry the
 *   symbol version MAKEGOOD_PLUGIN_1.1, so that a program using them is
 *   refused at load time by an older library rather than failing later.
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
  MG_NOT_FOUND = 5,      /* an unknown check, line, case, remedy or command */
  MG_ALREADY_EXISTS = 6, /* a request_id reused with a different request */
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
 * frees the client. NULL is allowed. Must not be called from a command
 * callback of this client (it would wait for itself). A watch
 * (mg_watch_recoveries) is not stopped: stop it with mg_watch_stop, before
 * or after. */
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

/* A remedy applied to a case or asked for (AppliedRemedy of the contract).
 * Strings are "" when the contract leaves them empty. */
typedef struct mg_remedy {
  /* What mg_approve_request.remedy_application_id names. */
  const char* remedy_application_id;
  const char* option_id;
  mg_remedy_kind kind;
  /* "PENDING_APPROVAL", "DENIED", "SENT", "APPLIED", "REJECTED", or
   * "STATUS_UNSPECIFIED" when makegoodd left it unset; "" for a status
   * this library does not know (from a newer makegoodd). */
  const char* status;
  int64_t cost_minor;
  const char* line_id; /* "" for the whole check */
  const char* requested_by;
  const char* approved_by;
  /* Why it waits for a manager ("over the SERVER limit of 25.00 per case"),
   * in English; "" when it does not wait. */
  const char* approval_reason;
  /* The command sent to the POS; "" before it is sent. */
  const char* command_id;
} mg_remedy;

/* The case's remedies, in the order they were asked for: how many, and one
 * by index (NULL for an index past the last, or a NULL case). The pointer
 * and its strings are valid until mg_case_free of the case. */
MG_API size_t mg_case_remedy_count(const mg_case* recovery_case);
MG_API const mg_remedy* mg_case_remedy(const mg_case* recovery_case,
                                       size_t index);

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

/* ---- Approvals and outcomes: the manager at the POS -------------------- */

/* Fill it as
 *   mg_approve_request approve;
 *   memset(&approve, 0, sizeof approve);
 *   approve.struct_size = sizeof approve;
 * so that fields added to it later read as NULL or 0. */
typedef struct mg_approve_request {
  /* sizeof(mg_approve_request) as the caller was compiled with. Required. */
  size_t struct_size;
  /* Token of the MANAGER or ADMIN deciding; another role is
   * MG_PERMISSION_DENIED. NULL: the client's own token (an ADAPTER's, which
   * may not decide). */
  const char* staff_token;
  /* As in mg_flag_request: required, one per decision. */
  const char* request_id;
  const char* case_id;
  /* The remedy waiting: mg_remedy.remedy_application_id, or the one of a
   * MG_ALERT_PENDING_APPROVAL alert. */
  const char* remedy_application_id;
  /* Nonzero approves; 0 denies, and the next option is offered. */
  int approve;
  /* Why it is denied; required when denying, may be NULL otherwise. */
  const char* reason;
} mg_approve_request;

/* Approves or denies a remedy waiting for a manager; an approved remedy
 * goes to the POS as a command. On success *recovery_case is set (free it
 * with mg_case_free). MG_NOT_FOUND: unknown case or remedy;
 * MG_PERMISSION_DENIED: a role that may not approve, or the approver's own
 * request; MG_FAILED_PRECONDITION: the remedy no longer waits, the case is
 * closed, or the remedy is over the approver's own limit or the budget. */
MG_API mg_status mg_approve_remedy(mg_client* client,
                                   const mg_approve_request* request,
                                   mg_case** recovery_case);

/* How the guest answered (GuestResponse of the contract). */
typedef enum mg_guest_response {
  MG_GUEST_RESPONSE_UNSPECIFIED = 0, /* not recorded by this call */
  MG_GUEST_ACCEPTED = 1,             /* the case is RESOLVED */
  MG_GUEST_DECLINED = 2,             /* the next option is offered */
  MG_GUEST_LEFT = 3                  /* the case is GUEST_LEFT */
} mg_guest_response;

/* Where the problem came from (RootCause of the contract). */
typedef enum mg_root_cause {
  MG_ROOT_CAUSE_UNSPECIFIED = 0, /* not recorded by this call */
  MG_ROOT_CAUSE_KITCHEN = 1,
  MG_ROOT_CAUSE_FRONT_OF_HOUSE = 2,
  MG_ROOT_CAUSE_SUPPLIER = 3,
  MG_ROOT_CAUSE_PROCESS = 4,
  MG_ROOT_CAUSE_PRODUCT = 5,
  MG_ROOT_CAUSE_OTHER = 6
} mg_root_cause;

/* Fill it as mg_approve_request, zeroed and then its struct_size. */
typedef struct mg_outcome_request {
  /* sizeof(mg_outcome_request) as the caller was compiled with. Required. */
  size_t struct_size;
  /* As in mg_flag_request (SERVER, MANAGER or ADMIN). */
  const char* staff_token;
  const char* request_id;
  const char* case_id;
  /* At least one of these three. */
  mg_guest_response guest_response;
  mg_root_cause root_cause;
  const char* action_taken; /* may be NULL */
} mg_outcome_request;

/* Records the guest's answer, and the root cause and action taken. A
 * closed case takes only the root cause and action
 * (MG_FAILED_PRECONDITION). On success *recovery_case is set. */
MG_API mg_status mg_record_outcome(mg_client* client,
                                   const mg_outcome_request* request,
                                   mg_case** recovery_case);

/* Reads a case as it is now: `staff_token` as in mg_flag_request (SERVER,
 * MANAGER, REPORTER or ADMIN; NULL is the client's own ADAPTER token,
 * which may not read cases). On success *recovery_case is set (free it
 * with mg_case_free). MG_NOT_FOUND, naming it, for an unknown case_id. */
MG_API mg_status mg_get_case(mg_client* client, const char* staff_token,
                             const char* case_id, mg_case** recovery_case);

/* ---- Watching: the manager's screen on the POS ------------------------- */

/* What an mg_watch_update is. Treat a value this header does not name
 * (from a newer library) as MG_WATCH_OTHER. */
typedef enum mg_watch_change {
  /* An update of a kind this header does not name (from a newer
   * makegoodd); json has it. */
  MG_WATCH_OTHER = 0,
  /* recovery_case is the case after the change; case_id is its id. */
  MG_WATCH_CASE_CHANGED = 1,
  MG_WATCH_ALERT = 2, /* something a manager should act on now */
  /* The end of the catch-up; `start` says what it was. */
  MG_WATCH_CAUGHT_UP = 3,
  /* The stream was lost (status, error); the library reconnects. Once per
   * loss: reconnect attempts that fail before a stream delivers anything
   * are not told again; the next update is the new stream's. */
  MG_WATCH_LOST = 4,
  /* The watch is over (status, error): makegoodd refused the stream after
   * it had started (e.g. the token was revoked), or the library could not
   * go on (MG_INTERNAL, e.g. out of memory). No callback follows; the
   * watch must still be freed with mg_watch_stop. */
  MG_WATCH_ENDED = 5
} mg_watch_change;

/* The kinds of alert (Alert.Kind of the contract). A kind this header does
 * not name reads as MG_ALERT_UNSPECIFIED when a newer makegoodd sent it;
 * treat one a newer library gives as MG_ALERT_UNSPECIFIED too. The json
 * has it. */
typedef enum mg_alert_kind {
  MG_ALERT_UNSPECIFIED = 0,
  MG_ALERT_PENDING_APPROVAL = 1, /* remedy_application_id waits */
  MG_ALERT_MANAGER_VISIT_REQUESTED = 2,
  MG_ALERT_COMMAND_REJECTED = 3, /* the POS refused a remedy */
  MG_ALERT_RECURRING_PROBLEM = 4,
  MG_ALERT_COMMAND_STUCK = 5, /* a remedy sent has no answer from the POS */
  MG_ALERT_ADAPTER_PROBLEM = 6
} mg_alert_kind;

/* How a stream's catch-up went (CaughtUp.Start of the contract). A value
 * this header does not name reads as MG_WATCH_START_UNSPECIFIED when a
 * newer makegoodd sent it; treat one a newer library gives as
 * MG_WATCH_START_UNSPECIFIED too. */
typedef enum mg_watch_start {
  MG_WATCH_START_UNSPECIFIED = 0,
  /* A snapshot of what is pending: it is the screen's state. */
  MG_WATCH_START_SNAPSHOT = 1,
  /* The updates missed since the resume point: the screen keeps its state
   * and applies them. */
  MG_WATCH_START_RESUMED = 2,
  /* The resume point was too old, or makegoodd restarted: a fresh snapshot
   * replaces the screen's state. */
  MG_WATCH_START_SNAPSHOT_TOO_OLD = 3,
  MG_WATCH_START_SNAPSHOT_OTHER_RUN = 4
} mg_watch_start;

/* One update (RecoveryUpdate of the contract), or the loss of the stream;
 * every pointer is valid during the callback only. Strings a change kind
 * does not use are "", never NULL. */
typedef struct mg_watch_update {
  mg_watch_change change;
  /* The update's number: keep the largest with its stream_epoch to resume
   * a later watch (mg_watch_options). 0 for snapshot updates. */
  int64_t sequence;
  const char* stream_epoch;
  /* Nonzero: part of the opening snapshot, the state as it is now. Those
   * received since the last MG_WATCH_CAUGHT_UP are incomplete after an
   * MG_WATCH_LOST: the next stream sends a whole snapshot again. */
  int snapshot;
  /* When the change was made, RFC 3339 in UTC; for the snapshot and
   * MG_WATCH_CAUGHT_UP, when the stream started. */
  const char* at;
  /* MG_WATCH_CASE_CHANGED: the case, read with the mg_case_* functions
   * during the callback only: it belongs to the library, which frees it
   * when the callback returns (do not free or keep it; copy what you
   * need). NULL for the other kinds. */
  const mg_case* recovery_case;
  /* MG_WATCH_ALERT: */
  mg_alert_kind alert_kind;
  const char* alert_id;
  /* The case's id; "" for an alert about more than one case. Set for
   * MG_WATCH_CASE_CHANGED too. */
  const char* case_id;
  const char* check_id;
  const char* message; /* ready to show, in English */
  /* The remedy a PENDING_APPROVAL, MANAGER_VISIT_REQUESTED or
   * COMMAND_REJECTED alert is about: what mg_approve_request names. */
  const char* remedy_application_id;
  int64_t cost_minor; /* PENDING_APPROVAL: what the remedy costs */
  /* MG_WATCH_CAUGHT_UP: */
  mg_watch_start start;
  int catch_up_updates; /* in the snapshot, or sent again */
  /* MG_WATCH_LOST and MG_WATCH_ENDED: how the stream ended. */
  mg_status status;
  const char* error;
  /* The whole RecoveryUpdate in the protobuf JSON mapping; "" for
   * MG_WATCH_LOST and MG_WATCH_ENDED. */
  const char* json;
} mg_watch_update;

typedef void (*mg_watch_callback)(const mg_watch_update* update,
                                  void* user_data);

/* Fill it as mg_approve_request, zeroed and then its struct_size. Its
 * strings are copied by mg_watch_recoveries: free them once it returns. */
typedef struct mg_watch_options {
  /* sizeof(mg_watch_options) as the caller was compiled with. Required. */
  size_t struct_size;
  /* Token of the MANAGER or ADMIN whose screen it is; another role is
   * MG_PERMISSION_DENIED. NULL: the client's own (an ADAPTER's: refused). */
  const char* staff_token;
  /* Where to start: 0 with a snapshot of what is pending; the largest
   * sequence an earlier watch delivered, with its stream_epoch, to get
   * what was missed since (a POS that restarted). Not negative. */
  int64_t after_sequence;
  /* Required with after_sequence; ignored without it. */
  const char* stream_epoch;
} mg_watch_options;

typedef struct mg_watch mg_watch;

/* Follows the location's case changes and alerts, as a manager's screen
 * does, on a library thread that calls `callback` once per update, in
 * order: first a catch-up (a snapshot of what is pending, or what was
 * missed since options->after_sequence), then one MG_WATCH_CAUGHT_UP, then
 * every change as makegoodd commits it. When the stream is lost (or
 * makegoodd restarts) the callback gets MG_WATCH_LOST, once, and the
 * library reconnects with backoff (0.1 s, doubling to 5 s) and resumes
 * after the last sequence it delivered: makegoodd sends what was missed,
 * or a fresh snapshot (see mg_watch_start). An update with a sequence
 * (live, or sent again as missed) is delivered once; a snapshot cut off by
 * a loss (snapshot updates without their MG_WATCH_CAUGHT_UP) is sent
 * again, whole and as the state is then, by the next stream.
 * Returns once makegoodd answered the first stream. On success *watch is
 * set before the first callback (which may read it), and callbacks may
 * already run when the function returns: stop and free the watch with
 * mg_watch_stop. On failure *watch is NULL and no callback was made:
 * MG_PERMISSION_DENIED for a role that may not watch, MG_UNAUTHENTICATED
 * for an unknown token, MG_DEADLINE_EXCEEDED when makegoodd did not answer
 * within timeout_ms. user_data must stay valid until mg_watch_stop has
 * returned (or, stopped from the callback, that callback has).
 * A watch holds its own reference to the connection: it keeps running
 * after mg_disconnect of its client, until mg_watch_stop. */
MG_API mg_status mg_watch_recoveries(mg_client* client,
                                     const mg_watch_options* options,
                                     mg_watch_callback callback,
                                     void* user_data, mg_watch** watch);

/* Stops the watch and frees it. From another thread, it returns after a
 * running callback has returned, and no callback is made after it; do not
 * call it holding a lock the callback takes (the callback would wait for
 * the lock, mg_watch_stop for the callback).
 * From the watch's own callback it returns at once: no further callback
 * is made, the watch handle is freed, and user_data may be freed once
 * that callback has returned. The library's thread then leaves the stream
 * without touching user_data, and is joined by the next mg_watch_* call or
 * mg_disconnect once it has, at the latest when the library is unloaded
 * or the process exits (which wait for that callback to return). NULL is
 * allowed. */
MG_API void mg_watch_stop(mg_watch* watch);

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
 * which calls `callback` once per delivery, in order; user_data must stay
 * valid until mg_stop_commands or mg_disconnect has returned. Unacknowledged
 * commands are delivered again after a reconnect: keep the command ids you
 * applied. The connection is kept up (reconnecting with backoff) until
 * mg_stop_commands or mg_disconnect. `adapter_name` labels this terminal in
 * makegoodd's records. MG_FAILED_PRECONDITION when already receiving. */
MG_API mg_status mg_receive_commands(mg_client* client,
                                     const char* adapter_name,
                                     mg_command_callback callback,
                                     void* user_data);

/* Stops receiving; returns after a running callback has returned, and no
 * callback is made after it (user_data may be freed then). Must not be
 * called from the callback (it would wait for itself), nor holding a lock
 * the callback takes. */
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
