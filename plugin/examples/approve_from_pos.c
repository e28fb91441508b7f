/*
 * approve_from_pos.c: a POS that hosts the manager's approvals on its own
 * screen, using libmakegood_plugin, in plain C.
 *
 * It watches the location's cases and alerts with the manager's token,
 * publishes a check with one fired steak, and the server flags the steak
 * as cold and comps it, which is over a server's limit: the case waits
 * for a manager. The watch shows the approval asked for; the manager
 * approves it from the POS, the guest accepts, and the outcome is
 * recorded.
 *
 *   makegood_plugin_approve_example SERVER ADAPTER_TOKEN STAFF_TOKEN \
 *       MANAGER_TOKEN CHECK_ID
 *   makegood_plugin_approve_example 127.0.0.1:50051 demo-adapter-pos \
 *       demo-server-dana demo-manager-lee 7301
 *
 * Exit status 0 when the remedy was approved and the case resolved.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "makegood_plugin.h"

/* What the watch callback shares with main. */
struct screen {
  pthread_mutex_t mu;
  pthread_cond_t changed;
  char case_id[128];               /* the case to look out for */
  char remedy_application_id[128]; /* the remedy waiting for approval */
  char message[512];
  int caught_up;
  int approval_asked;
};

static void copy(char* to, size_t size, const char* from) {
  snprintf(to, size, "%s", from);
}

/* The manager's screen: runs on the library's thread, one update at a
 * time. A real POS redraws here; this one notes what main waits for. */
static void on_update(const mg_watch_update* update, void* user_data) {
  struct screen* s = (struct screen*)user_data;
  pthread_mutex_lock(&s->mu);
  switch (update->change) {
    case MG_WATCH_CAUGHT_UP:
      s->caught_up = 1;
      break;
    case MG_WATCH_ALERT:
      if (update->alert_kind == MG_ALERT_PENDING_APPROVAL &&
          strcmp(update->case_id, s->case_id) == 0) {
        copy(s->remedy_application_id, sizeof s->remedy_application_id,
             update->remedy_application_id);
        copy(s->message, sizeof s->message, update->message);
        s->approval_asked = 1;
      }
      break;
    case MG_WATCH_LOST:
      fprintf(stderr, "watch lost (%s), reconnecting\n", update->error);
      break;
    default:
      break;
  }
  pthread_cond_signal(&s->changed);
  pthread_mutex_unlock(&s->mu);
}

/* How long main waits for the watch, in seconds. */
#define AWAIT_SECONDS 30

/* Sets up the screen's lock and condition; the condition's clock is the
 * monotonic one, so that a change of the wall clock does not move the
 * deadline. 0 on success. */
static int screen_init(struct screen* s) {
  memset(s, 0, sizeof *s);
  pthread_condattr_t attr;
  if (pthread_condattr_init(&attr) != 0) return -1;
  int failed = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
               pthread_cond_init(&s->changed, &attr) != 0;
  pthread_condattr_destroy(&attr);
  if (failed) return -1;
  if (pthread_mutex_init(&s->mu, NULL) != 0) {
    pthread_cond_destroy(&s->changed);
    return -1;
  }
  return 0;
}

/* Waits (at most AWAIT_SECONDS) until *flag is nonzero; the flag. Called
 * with s->mu held. */
static int await(struct screen* s, const int* flag) {
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += AWAIT_SECONDS;
  while (!*flag) {
    if (pthread_cond_timedwait(&s->changed, &s->mu, &deadline)) break;
  }
  return *flag;
}

/* An ISO 8601 UTC time `minutes_ago` before now. */
static void timestamp(int minutes_ago, char* out, size_t size) {
  time_t at = time(NULL) - (time_t)minutes_ago * 60;
  struct tm utc;
  gmtime_r(&at, &utc);
  strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

static void report(const char* what, mg_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, mg_status_name(status),
          mg_last_error());
}

/* Publishes the check: opened, a ribeye added and fired. */
static mg_status publish_check(mg_client* client, const char* check_id) {
  char opened_at[32], fired_at[32];
  timestamp(20, opened_at, sizeof opened_at);
  timestamp(15, fired_at, sizeof fired_at);
  char events[3][512];
  snprintf(events[0], sizeof events[0],
           "{\"eventId\":\"%s-open\",\"source\":\"example-pos\","
           "\"locationId\":\"downtown-01\",\"checkId\":\"%s\","
           "\"occurredAt\":\"%s\",\"checkOpened\":{\"table\":\"9\"}}",
           check_id, check_id, opened_at);
  snprintf(events[1], sizeof events[1],
           "{\"eventId\":\"%s-add-1\",\"source\":\"example-pos\","
           "\"locationId\":\"downtown-01\",\"checkId\":\"%s\","
           "\"occurredAt\":\"%s\",\"itemAdded\":{\"lineId\":\"1\","
           "\"sku\":\"RIBEYE-12\",\"name\":\"Ribeye 12oz\",\"station\":"
           "\"grill\",\"quantity\":1,\"unitPrice\":{\"minorUnits\":\"4800\","
           "\"currency\":\"USD\"}}}",
           check_id, check_id, opened_at);
  snprintf(events[2], sizeof events[2],
           "{\"eventId\":\"%s-fire-1\",\"source\":\"example-pos\","
           "\"locationId\":\"downtown-01\",\"checkId\":\"%s\","
           "\"occurredAt\":\"%s\",\"itemFired\":{\"lineId\":\"1\"}}",
           check_id, check_id, fired_at);
  const char* event_list[3] = {events[0], events[1], events[2]};
  return mg_publish_events(client, event_list, 3, NULL);
}

/* The offered option of `kind`, or NULL. */
static const mg_option* option_of_kind(const mg_case* c, mg_remedy_kind kind) {
  size_t count = 0;
  const mg_option* options = mg_case_options(c, &count);
  for (size_t i = 0; i < count; ++i) {
    if (options[i].kind == kind) return &options[i];
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr,
            "usage: %s SERVER ADAPTER_TOKEN STAFF_TOKEN MANAGER_TOKEN "
            "CHECK_ID\n",
            argv[0]);
    return 2;
  }
  const char* staff_token = argv[3];
  const char* manager_token = argv[4];
  const char* check_id = argv[5];
  /* Everything done comes undone at `done`, whichever step fails. */
  int exit_code = 1;
  mg_client* client = NULL;
  mg_watch* watch = NULL;
  mg_case* flagged = NULL;
  mg_case* applied = NULL;
  mg_case* approved = NULL;
  mg_case* resolved = NULL;
  mg_case* read = NULL;
  struct screen screen;
  if (screen_init(&screen) != 0) {
    fprintf(stderr, "cannot set up the screen's lock\n");
    return 1;
  }

  mg_connect_options options;
  memset(&options, 0, sizeof options);
  options.target = argv[1];
  options.token = argv[2];
  mg_status status = mg_connect(&options, &client);
  if (status != MG_OK) {
    report("connect", status);
    goto done;
  }

  /* The manager's screen, before anything happens. */
  mg_watch_options watch_options;
  memset(&watch_options, 0, sizeof watch_options);
  watch_options.struct_size = sizeof watch_options;
  watch_options.staff_token = manager_token;
  status =
      mg_watch_recoveries(client, &watch_options, on_update, &screen, &watch);
  if (status != MG_OK) {
    report("watch", status);
    goto done;
  }
  pthread_mutex_lock(&screen.mu);
  const int caught_up = await(&screen, &screen.caught_up);
  pthread_mutex_unlock(&screen.mu);
  if (!caught_up) {
    fprintf(stderr, "the watch did not catch up within %d s\n", AWAIT_SECONDS);
    goto done;
  }
  printf("watching: caught up\n");

  status = publish_check(client, check_id);
  if (status != MG_OK) {
    report("publish", status);
    goto done;
  }

  /* The server flags the steak as cold, and comps it. */
  char request_id[64];
  snprintf(request_id, sizeof request_id, "example-flag-%s", check_id);
  const char* lines[1] = {"1"};
  mg_flag_request flag;
  memset(&flag, 0, sizeof flag);
  flag.staff_token = staff_token;
  flag.request_id = request_id;
  flag.check_id = check_id;
  flag.line_ids = lines;
  flag.line_count = 1;
  flag.category_id = "cold_food";
  flag.severity = MG_SEVERITY_MAJOR;
  status = mg_flag_problem(client, &flag, &flagged);
  if (status != MG_OK) {
    report("flag", status);
    goto done;
  }
  const mg_option* comp = option_of_kind(flagged, MG_REMEDY_COMP_ITEM);
  if (comp == NULL) {
    fprintf(stderr, "the policy offered no comp for this case\n");
    goto done;
  }
  pthread_mutex_lock(&screen.mu);
  copy(screen.case_id, sizeof screen.case_id, mg_case_id(flagged));
  pthread_mutex_unlock(&screen.mu);

  snprintf(request_id, sizeof request_id, "example-apply-%s", check_id);
  mg_apply_request apply;
  memset(&apply, 0, sizeof apply);
  apply.staff_token = staff_token;
  apply.request_id = request_id;
  apply.case_id = mg_case_id(flagged);
  apply.option_id = comp->option_id;
  status = mg_apply_remedy(client, &apply, &applied);
  if (status != MG_OK) {
    report("apply", status);
    goto done;
  }
  const mg_remedy* asked = mg_case_remedy(applied, 0);
  if (asked == NULL || strcmp(asked->status, "PENDING_APPROVAL") != 0) {
    fprintf(stderr, "the comp did not wait for a manager: case is %s\n",
            mg_case_status(applied));
    goto done;
  }
  printf("waiting for a manager: %s\n", asked->approval_reason);

  /* The manager's screen shows the approval asked for. */
  pthread_mutex_lock(&screen.mu);
  const int alerted = await(&screen, &screen.approval_asked);
  char remedy_application_id[128];
  copy(remedy_application_id, sizeof remedy_application_id,
       screen.remedy_application_id);
  if (alerted) printf("manager screen: %s\n", screen.message);
  pthread_mutex_unlock(&screen.mu);
  if (!alerted) {
    fprintf(stderr, "no approval alert arrived within %d s\n", AWAIT_SECONDS);
    goto done;
  }

  /* The manager taps "Approve". */
  snprintf(request_id, sizeof request_id, "example-approve-%s", check_id);
  mg_approve_request approve;
  memset(&approve, 0, sizeof approve);
  approve.struct_size = sizeof approve;
  approve.staff_token = manager_token;
  approve.request_id = request_id;
  approve.case_id = mg_case_id(applied);
  approve.remedy_application_id = remedy_application_id;
  approve.approve = 1;
  status = mg_approve_remedy(client, &approve, &approved);
  if (status != MG_OK) {
    report("approve", status);
    goto done;
  }
  printf("approved: case is %s\n", mg_case_status(approved));

  /* The guest is happy; the kitchen let the plate go cold. */
  snprintf(request_id, sizeof request_id, "example-outcome-%s", check_id);
  mg_outcome_request outcome;
  memset(&outcome, 0, sizeof outcome);
  outcome.struct_size = sizeof outcome;
  outcome.staff_token = staff_token;
  outcome.request_id = request_id;
  outcome.case_id = mg_case_id(approved);
  outcome.guest_response = MG_GUEST_ACCEPTED;
  outcome.root_cause = MG_ROOT_CAUSE_KITCHEN;
  outcome.action_taken = "Plates go out from the pass within a minute";
  status = mg_record_outcome(client, &outcome, &resolved);
  if (status != MG_OK) {
    report("outcome", status);
    goto done;
  }
  printf("outcome recorded: case is %s\n", mg_case_status(resolved));

  /* The case as makegoodd keeps it, read back. */
  status = mg_get_case(client, manager_token, mg_case_id(resolved), &read);
  if (status != MG_OK) {
    report("get case", status);
    goto done;
  }
  for (size_t i = 0; i < mg_case_remedy_count(read); ++i) {
    const mg_remedy* remedy = mg_case_remedy(read, i);
    printf("  remedy %s: %s, approved by %s, %lld cents\n",
           remedy->remedy_application_id, remedy->status, remedy->approved_by,
           (long long)remedy->cost_minor);
  }
  if (strcmp(mg_case_status(read), "RESOLVED") == 0) exit_code = 0;

done:
  /* The watch first: its callback writes to the screen. */
  mg_watch_stop(watch);
  mg_case_free(read);
  mg_case_free(resolved);
  mg_case_free(approved);
  mg_case_free(applied);
  mg_case_free(flagged);
  mg_disconnect(client);
  pthread_cond_destroy(&screen.changed);
  pthread_mutex_destroy(&screen.mu);
  return exit_code;
}
