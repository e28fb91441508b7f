/*
 * flag_and_ack.c: a POS terminal using libmakegood_plugin, in plain C.
 *
 * It publishes a check with one fired steak, flags the steak as cold for
 * the server who pressed the button, applies the first remedy the policy
 * offers, then receives the command the POS has to carry out and
 * acknowledges it as applied.
 *
 *   makegood_plugin_example SERVER ADAPTER_TOKEN STAFF_TOKEN CHECK_ID
 *       [CA_FILE [CLIENT_CERT CLIENT_KEY]]
 *   makegood_plugin_example 127.0.0.1:50051 demo-adapter-pos \
 *       demo-server-dana 7001
 *
 * ADAPTER_TOKEN may be @FILE: the token is then read from FILE. CA_FILE
 * connects with TLS; CLIENT_CERT and CLIENT_KEY add a client certificate,
 * for a makegoodd whose server.tls.client_ca_file asks for one.
 *
 * Exit status 0 when the command was received and acknowledged.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "makegood_plugin.h"

/* What the command callback shares with main. */
struct received {
  pthread_mutex_t mu;
  pthread_cond_t changed;
  mg_client* client;
  const char* case_id;
  int acked;
  mg_status ack_status;
};

static void on_command(const mg_command* command, void* user_data) {
  struct received* r = (struct received*)user_data;
  if (strcmp(command->case_id, r->case_id) != 0) return; /* another case */
  printf("command %s: kind %d on line '%s' (delivery %d)\n",
         command->command_id, (int)command->kind, command->line_id,
         command->delivery_attempt);
  /* A real POS carries the remedy out here, then acknowledges. */
  mg_status status =
      mg_ack_command(r->client, command->command_id, MG_ACK_APPLIED,
                     "example-pos-ticket-1", NULL);
  if (status != MG_OK) {
    fprintf(stderr, "ack: %s: %s\n", mg_status_name(status), mg_last_error());
  }
  pthread_mutex_lock(&r->mu);
  r->acked = 1;
  r->ack_status = status;
  pthread_cond_signal(&r->changed);
  pthread_mutex_unlock(&r->mu);
}

/* An ISO 8601 UTC time `minutes_ago` before now. */
static void timestamp(int minutes_ago, char* out, size_t size) {
  time_t at = time(NULL) - (time_t)minutes_ago * 60;
  struct tm utc;
  gmtime_r(&at, &utc);
  strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

static int fail(const char* what, mg_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, mg_status_name(status),
          mg_last_error());
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6 && argc != 8) {
    fprintf(stderr,
            "usage: %s SERVER ADAPTER_TOKEN|@TOKEN_FILE STAFF_TOKEN CHECK_ID "
            "[CA_FILE [CLIENT_CERT CLIENT_KEY]]\n",
            argv[0]);
    return 2;
  }
  const char* check_id = argv[4];
  mg_connect_options options;
  memset(&options, 0, sizeof options);
  options.target = argv[1];
  /* Settings beyond mg_connect_options: zeroed, then its size. */
  mg_connect_credentials credentials;
  memset(&credentials, 0, sizeof credentials);
  credentials.struct_size = sizeof credentials;
  if (argv[2][0] == '@') {
    credentials.token_file = argv[2] + 1;
  } else {
    options.token = argv[2];
  }
  if (argc >= 6) options.tls_ca_file = argv[5];
  if (argc == 8) {
    credentials.tls_cert_file = argv[6];
    credentials.tls_key_file = argv[7];
  }
  mg_client* client = NULL;
  mg_status status =
      mg_connect_with_credentials(&options, &credentials, &client);
  if (status != MG_OK) return fail("connect", status);

  /* The POS reports the check: opened, a steak added and fired. */
  char opened_at[32], fired_at[32];
  timestamp(20, opened_at, sizeof opened_at);
  timestamp(15, fired_at, sizeof fired_at);
  char events[3][512];
  snprintf(events[0], sizeof events[0],
           "{\"eventId\":\"%s-open\",\"source\":\"example-pos\","
           "\"locationId\":\"downtown-01\",\"checkId\":\"%s\","
           "\"occurredAt\":\"%s\",\"checkOpened\":{\"table\":\"7\","
           "\"guestCount\":2,\"serverId\":\"s-17\"}}",
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
  mg_publish_summary summary;
  status = mg_publish_events(client, event_list, 3, &summary);
  if (status != MG_OK) return fail("publish", status);
  printf("published: %d accepted, %d duplicates\n", summary.accepted,
         summary.duplicates);

  /* The server presses "cold" on the steak. */
  char request_id[64];
  snprintf(request_id, sizeof request_id, "example-flag-%s", check_id);
  const char* lines[1] = {"1"};
  mg_flag_request flag;
  memset(&flag, 0, sizeof flag);
  flag.staff_token = argv[3];
  flag.request_id = request_id;
  flag.check_id = check_id;
  flag.line_ids = lines;
  flag.line_count = 1;
  flag.category_id = "cold_food";
  flag.severity = MG_SEVERITY_MAJOR;
  flag.guest_words = "My steak is cold";
  mg_case* flagged = NULL;
  status = mg_flag_problem(client, &flag, &flagged);
  if (status != MG_OK) return fail("flag", status);
  size_t option_count = 0;
  const mg_option* options_offered = mg_case_options(flagged, &option_count);
  printf("case %s: %s\n", mg_case_id(flagged), mg_case_guidance(flagged));
  for (size_t i = 0; i < option_count; ++i) {
    printf("  option %s: %s (about %lld cents)\n", options_offered[i].option_id,
           options_offered[i].label,
           (long long)options_offered[i].estimated_cost_minor);
  }
  if (option_count == 0) {
    fprintf(stderr, "the policy offered nothing for this case\n");
    return 1;
  }

  /* Listen for the POS's commands before applying, then apply option 1. */
  struct received received;
  pthread_mutex_init(&received.mu, NULL);
  pthread_cond_init(&received.changed, NULL);
  received.client = client;
  received.case_id = mg_case_id(flagged);
  received.acked = 0;
  received.ack_status = MG_OK;
  status =
      mg_receive_commands(client, "example-terminal", on_command, &received);
  if (status != MG_OK) return fail("receive", status);

  snprintf(request_id, sizeof request_id, "example-apply-%s", check_id);
  mg_apply_request apply;
  memset(&apply, 0, sizeof apply);
  apply.staff_token = argv[3];
  apply.request_id = request_id;
  apply.case_id = mg_case_id(flagged);
  apply.option_id = options_offered[0].option_id;
  mg_case* applied = NULL;
  status = mg_apply_remedy(client, &apply, &applied);
  if (status != MG_OK) return fail("apply", status);
  printf("applied %s: case is %s\n", apply.option_id, mg_case_status(applied));

  /* Wait (at most 10 s) for the command to arrive and be acknowledged. */
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&received.mu);
  while (!received.acked) {
    if (pthread_cond_timedwait(&received.changed, &received.mu, &deadline)) {
      break;
    }
  }
  const int acked = received.acked;
  const mg_status ack_status = received.ack_status;
  pthread_mutex_unlock(&received.mu);

  mg_stop_commands(client);
  mg_case_free(applied);
  mg_case_free(flagged);
  mg_disconnect(client);
  if (!acked) {
    fprintf(stderr, "no command arrived within 10 s\n");
    return 1;
  }
  if (ack_status != MG_OK) return 1;
  printf("acknowledged: applied\n");
  return 0;
}
