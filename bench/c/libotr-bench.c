/*
 * libotr-bench: the libotr 4.1.1 column of `npm run bench` (bench/run.ts builds and runs it).
 *
 * Two OtrlUserStates ("alice" and "bob") live in this one process. Their inject_message op does
 * not write anywhere: it appends the line to the other side's inbox, and deliver() hands the
 * inboxes to otrl_message_receiving until both are empty. So a timed operation is exactly the
 * work libotr does on both sides, with no pipes and no JSON in the timed part, the same shape
 * as the offrecord and `otr` columns.
 *
 * Usage: libotr-bench ROW=N ...   (rows: keygen ake oneway alt smp frag; N = measured runs)
 *        MSG=<bytes> sets the one-way / alternating message size (default 100).
 * Prints one JSON object: {"ROW": [ms, ms, ...], ...}. Every run is checked (AKE reached
 * ENCRYPTED on both sides, each message arrived intact, SMP succeeded on both sides); a failed
 * check prints the reason on stderr and exits 1: a failed run never counts as fast.
 *
 * Build: cc -O2 -o build/bench/libotr-bench bench/c/libotr-bench.c -lotr -lgcrypt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gcrypt.h>
/* libotr's headers depend on each other's order: proto.h first. */
#include <libotr/proto.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/tlv.h>
#include <libotr/userstate.h>

#define PROTOCOL "bench"
#define MAX_QUEUE 4096

typedef struct Side {
  const char *name;
  OtrlUserState us;
  struct Side *peer;
  char *inbox[MAX_QUEUE]; /* lines the peer injected for us, oldest first */
  int head, tail;
  char *last_text;        /* the last message libotr handed up to the application */
  int smp_asked, smp_ok, smp_bad;
} Side;

static Side alice = {.name = "alice"}, bob = {.name = "bob"};
static OtrlPolicy policy = OTRL_POLICY_MANUAL;
static int max_message = 0;

static void die(const char *why) {
  fprintf(stderr, "libotr-bench: %s\n", why);
  exit(1);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---------- OtrlMessageAppOps: opdata is the Side the call is made for ---------- */

static OtrlPolicy op_policy(void *opdata, ConnContext *context) {
  (void)opdata; (void)context;
  return policy;
}

static int op_is_logged_in(void *opdata, const char *acc, const char *proto, const char *recipient) {
  (void)opdata; (void)acc; (void)proto; (void)recipient;
  return 1;
}

static void op_inject(void *opdata, const char *acc, const char *proto, const char *recipient, const char *message) {
  (void)acc; (void)proto; (void)recipient;
  Side *to = ((Side *)opdata)->peer;
  if (!*message) return;
  if (to->tail - to->head >= MAX_QUEUE) die("inbox overflow");
  char *copy = strdup(message);
  if (!copy) die("out of memory");
  to->inbox[to->tail++ % MAX_QUEUE] = copy;
}

static int op_max_message_size(void *opdata, ConnContext *context) {
  (void)opdata; (void)context;
  return max_message;
}

static void op_handle_smp_event(void *opdata, OtrlSMPEvent ev, ConnContext *context, unsigned short progress,
                                char *question) {
  (void)context; (void)progress; (void)question;
  Side *s = opdata;
  switch (ev) {
    case OTRL_SMPEVENT_ASK_FOR_SECRET:
    case OTRL_SMPEVENT_ASK_FOR_ANSWER: s->smp_asked = 1; break;
    case OTRL_SMPEVENT_SUCCESS: s->smp_ok = 1; break;
    case OTRL_SMPEVENT_FAILURE:
    case OTRL_SMPEVENT_ABORT:
    case OTRL_SMPEVENT_CHEATED:
    case OTRL_SMPEVENT_ERROR: s->smp_bad = 1; break;
    default: break;
  }
}

static void op_handle_msg_event(void *opdata, OtrlMessageEvent ev, ConnContext *context, const char *message,
                                gcry_error_t err) {
  (void)context; (void)message; (void)err;
  switch (ev) {
    case OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD:
    case OTRL_MSGEVENT_LOG_HEARTBEAT_SENT:
    case OTRL_MSGEVENT_RCVDMSG_FOR_OTHER_INSTANCE: return;
    default:
      fprintf(stderr, "libotr-bench: %s: message event %d\n", ((Side *)opdata)->name, (int)ev);
      exit(1);
  }
}

static void op_create_instag(void *opdata, const char *acc, const char *proto) {
  FILE *f = tmpfile();
  if (!f || otrl_instag_generate_FILEp(((Side *)opdata)->us, f, acc, proto)) die("instance tag generation failed");
  fclose(f);
}

static OtrlMessageAppOps ops = {
    .policy = op_policy,
    .is_logged_in = op_is_logged_in,
    .inject_message = op_inject,
    .max_message_size = op_max_message_size,
    .handle_smp_event = op_handle_smp_event,
    .handle_msg_event = op_handle_msg_event,
    .create_instag = op_create_instag,
};

/* ---------- driving the two sides ---------- */

static void receive_one(Side *s, const char *line) {
  char *newmsg = NULL;
  OtrlTLV *tlvs = NULL;
  int ignore = otrl_message_receiving(s->us, &ops, s, s->name, PROTOCOL, s->peer->name, line, &newmsg, &tlvs,
                                      NULL, NULL, NULL);
  if (!ignore && newmsg) {
    free(s->last_text);
    s->last_text = strdup(newmsg);
  }
  if (newmsg) otrl_message_free(newmsg);
  if (tlvs) otrl_tlv_free(tlvs);
}

/* Deliver queued lines, alternating sides, until neither has anything waiting. */
static void deliver(void) {
  for (;;) {
    int moved = 0;
    Side *sides[2] = {&alice, &bob};
    for (int i = 0; i < 2; i++) {
      Side *s = sides[i];
      if (s->head < s->tail) {
        char *line = s->inbox[s->head++ % MAX_QUEUE];
        receive_one(s, line);
        free(line);
        moved = 1;
      }
    }
    if (!moved) return;
  }
}

static void send_text(Side *from, const char *text) {
  char *newmsg = NULL;
  gcry_error_t e = otrl_message_sending(from->us, &ops, from, from->name, PROTOCOL, from->peer->name,
                                        OTRL_INSTAG_BEST, text, NULL, &newmsg, OTRL_FRAGMENT_SEND_ALL, NULL, NULL,
                                        NULL);
  if (e) die(gcry_strerror(e));
  if (newmsg) otrl_message_free(newmsg);
}

static ConnContext *ctx_of(Side *s) {
  return otrl_context_find(s->us, s->peer->name, s->name, PROTOCOL, OTRL_INSTAG_BEST, 0, NULL, NULL, NULL);
}

static int encrypted(Side *s) {
  ConnContext *c = ctx_of(s);
  return c && c->msgstate == OTRL_MSGSTATE_ENCRYPTED;
}

/* A fresh AKE: both sides forget every context, alice sends a Query, the lines flow until quiet. */
static double ake(void) {
  otrl_context_forget_all(alice.us);
  otrl_context_forget_all(bob.us);
  double t0 = now_ms();
  char *q = otrl_proto_default_query_msg(alice.name, policy);
  if (!q) die("no query message");
  receive_one(&bob, q);
  free(q);
  deliver();
  double t = now_ms() - t0;
  if (!encrypted(&alice) || !encrypted(&bob)) die("AKE did not reach ENCRYPTED on both sides");
  return t;
}

static double message(Side *from, const char *text) {
  Side *to = from->peer;
  free(to->last_text);
  to->last_text = NULL;
  double t0 = now_ms();
  send_text(from, text);
  deliver();
  double t = now_ms() - t0;
  if (!to->last_text || strcmp(to->last_text, text)) die("message did not arrive intact");
  return t;
}

static double smp(void) {
  const char *secret = "the secret both of them know";
  alice.smp_asked = alice.smp_ok = alice.smp_bad = 0;
  bob.smp_asked = bob.smp_ok = bob.smp_bad = 0;
  double t0 = now_ms();
  otrl_message_initiate_smp(alice.us, &ops, &alice, ctx_of(&alice), (const unsigned char *)secret, strlen(secret));
  deliver();
  if (!bob.smp_asked) die("SMP: bob was not asked for the secret");
  otrl_message_respond_smp(bob.us, &ops, &bob, ctx_of(&bob), (const unsigned char *)secret, strlen(secret));
  deliver();
  double t = now_ms() - t0;
  if (!alice.smp_ok || !bob.smp_ok || alice.smp_bad || bob.smp_bad) die("SMP did not succeed on both sides");
  return t;
}

static double keygen(void) {
  void *newkey = NULL;
  double t0 = now_ms();
  gcry_error_t e = otrl_privkey_generate_start(alice.us, "keygen", PROTOCOL, &newkey);
  if (!e) e = otrl_privkey_generate_calculate(newkey);
  double t = now_ms() - t0;
  if (e) die(gcry_strerror(e));
  otrl_privkey_generate_cancelled(alice.us, newkey);
  return t;
}

static void setup(Side *s, Side *peer) {
  s->us = otrl_userstate_create();
  s->peer = peer;
  FILE *f = tmpfile();
  if (!f || otrl_privkey_generate_FILEp(s->us, f, s->name, PROTOCOL)) die("key generation failed");
  fclose(f);
  op_create_instag(s, s->name, PROTOCOL);
}

static void print_row(const char *name, const double *t, int n, int *first) {
  printf("%s\"%s\":[", *first ? "" : ",", name);
  for (int i = 0; i < n; i++) printf("%s%.6f", i ? "," : "", t[i]); /* ms to the ns: one way is ~2 µs */
  printf("]");
  *first = 0;
}

int main(int argc, char **argv) {
  int n_keygen = 0, n_ake = 0, n_oneway = 0, n_alt = 0, n_smp = 0, n_frag = 0, msg_bytes = 100;
  for (int i = 1; i < argc; i++) {
    char row[16];
    int n;
    if (sscanf(argv[i], "%15[a-zA-Z]=%d", row, &n) != 2 || n < 0 || n > 100000) die("usage: libotr-bench ROW=N ...");
    if (!strcmp(row, "keygen")) n_keygen = n;
    else if (!strcmp(row, "ake")) n_ake = n;
    else if (!strcmp(row, "oneway")) n_oneway = n;
    else if (!strcmp(row, "alt")) n_alt = n;
    else if (!strcmp(row, "smp")) n_smp = n;
    else if (!strcmp(row, "frag")) n_frag = n;
    else if (!strcmp(row, "MSG")) msg_bytes = n;
    else die("unknown row");
  }
  OTRL_INIT;
  setup(&alice, &bob);
  setup(&bob, &alice);

  char *text = malloc((size_t)msg_bytes + 1);
  char *big = malloc(65536 + 1);
  if (!text || !big) die("out of memory");
  for (int i = 0; i < msg_bytes; i++) text[i] = (char)('a' + i % 26);
  text[msg_bytes] = '\0';
  for (int i = 0; i < 65536; i++) big[i] = (char)('A' + (i * 7) % 58);
  big[65536] = '\0';
  for (int i = 0; i < 65536; i++)
    if (big[i] == '\\' || big[i] == '^' || big[i] == '`') big[i] = 'x';

  int total = n_keygen + n_ake + n_oneway + n_alt + n_smp + n_frag;
  double *t = calloc((size_t)(total ? total : 1), sizeof *t);
  if (!t) die("out of memory");
  int first = 1;
  printf("{");

  for (int i = 0; i < n_keygen; i++) t[i] = keygen();
  if (n_keygen) print_row("keygen", t, n_keygen, &first);

  if (n_ake) {
    ake(); /* warm-up */
    for (int i = 0; i < n_ake; i++) t[i] = ake();
    print_row("ake", t, n_ake, &first);
  }

  if (n_oneway || n_alt || n_smp) {
    /* One way: after one message each way, alice keeps sending; no side makes a new DH key. */
    ake();
    message(&alice, text);
    message(&bob, text);
    message(&alice, text);
    for (int i = 0; i < n_oneway; i++) t[i] = message(&alice, text);
    if (n_oneway) print_row("oneway", t, n_oneway, &first);

    /* Alternating: each message acknowledges the other side's newest key, so each rotates. */
    for (int i = 0; i < n_alt; i++) t[i] = message(i % 2 ? &alice : &bob, text);
    if (n_alt) print_row("alt", t, n_alt, &first);

    if (n_smp) {
      smp(); /* warm-up */
      for (int i = 0; i < n_smp; i++) t[i] = smp();
      print_row("smp", t, n_smp, &first);
    }
  }

  if (n_frag) {
    ake();
    max_message = 400;
    message(&alice, big); /* warm-up */
    for (int i = 0; i < n_frag; i++) t[i] = message(&alice, big);
    print_row("frag", t, n_frag, &first);
    max_message = 0;
  }

  printf("}\n");
  free(t);
  free(text);
  free(big);
  return 0;
}
