/*
 * libotr-peer: one libotr 4.1.1 OtrlUserState driven over stdin/stdout, one JSON object per line.
 * It speaks the same contract as tools/otr-peer (issues 3 and 4), so the interop harness
 * (test/interop/lib/) can put any two peers on one relay.
 *
 * Options: --account NAME (alice) --protocol NAME (prpl-irc) --key FILE --policy
 * never|manual|opportunistic|always --versions 2,3 --max-message N --instance-tag HEX
 * --fingerprints FILE --instance-tags FILE
 *
 * Input ops: query, send, receive, end, smp, smp-answer, smp-abort, symkey (each with "peer";
 * "instance":HEX optionally picks one of the buddy's instances instead of the best one).
 * Output events: ready, wire, message, state, smp, symkey, notice, error, and "done" last per line.
 *
 * Built by test/interop/build-c.ts: cc -O2 -Wall -Wextra libotr-peer.c -lotr -lgcrypt
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gcrypt.h>
/* libotr's headers depend on each other's order: proto.h first. */
#include <libotr/proto.h>
#include <libotr/instag.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/tlv.h>
#include <libotr/userstate.h>

static OtrlUserState us;
static const char *account = "alice";
static const char *protocol = "prpl-irc";
static const char *keyfile = NULL;
static const char *fprfile = NULL;
static const char *instagfile = NULL;
static OtrlPolicy policy = OTRL_POLICY_OPPORTUNISTIC;
static int max_message = 0;

/* ---------- JSON output ---------- */

static void put_str(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  putchar('"');
  for (; *p; p++) {
    switch (*p) {
      case '"': fputs("\\\"", stdout); break;
      case '\\': fputs("\\\\", stdout); break;
      case '\n': fputs("\\n", stdout); break;
      case '\r': fputs("\\r", stdout); break;
      case '\t': fputs("\\t", stdout); break;
      default:
        if (*p < 0x20 || *p == 0x7f) printf("\\u%04x", *p);
        else putchar(*p); /* UTF-8 bytes pass through intact */
    }
  }
  putchar('"');
}

/* Emit {"event":EV, k1:v1, ...}. fmt: one char per field: s=string, i=int, b=bool. */
static void emit(const char *event, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("{\"event\":", stdout);
  put_str(event);
  for (const char *f = fmt; f && *f; f++) {
    const char *key = va_arg(ap, const char *);
    putchar(',');
    put_str(key);
    putchar(':');
    if (*f == 's') {
      const char *v = va_arg(ap, const char *);
      put_str(v ? v : "");
    } else if (*f == 'i') {
      printf("%ld", va_arg(ap, long));
    } else if (*f == 'b') {
      fputs(va_arg(ap, int) ? "true" : "false", stdout);
    }
  }
  fputs("}\n", stdout);
  va_end(ap);
}

static void emit_error(const char *peer, const char *message) {
  emit("error", "ss", "peer", peer ? peer : "", "message", message);
}

/* ---------- JSON input: a flat object with string / number / bool / null values ---------- */

#define MAX_FIELDS 16
typedef struct {
  int n;
  char *key[MAX_FIELDS];
  char *val[MAX_FIELDS]; /* strings unescaped; numbers and bools as their text */
  int is_str[MAX_FIELDS];
} Obj;

static void obj_free(Obj *o) {
  for (int i = 0; i < o->n; i++) {
    free(o->key[i]);
    free(o->val[i]);
  }
  o->n = 0;
}

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  return p;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return -1;
  }
  *out = v;
  return 0;
}

static size_t put_utf8(char *d, unsigned cp) {
  if (cp < 0x80) { d[0] = (char)cp; return 1; }
  if (cp < 0x800) { d[0] = (char)(0xc0 | (cp >> 6)); d[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    d[0] = (char)(0xe0 | (cp >> 12)); d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[2] = (char)(0x80 | (cp & 0x3f)); return 3;
  }
  d[0] = (char)(0xf0 | (cp >> 18)); d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  d[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); d[3] = (char)(0x80 | (cp & 0x3f)); return 4;
}

/* Parse a JSON string at *pp (pointing at the opening quote). Returns malloc'd UTF-8 or NULL. */
static char *parse_string(const char **pp, const char **err) {
  const char *p = *pp;
  if (*p != '"') { *err = "expected a string"; return NULL; }
  p++;
  size_t cap = strlen(p) + 1;
  char *out = malloc(cap), *d = out;
  if (!out) { *err = "out of memory"; return NULL; }
  while (*p && *p != '"') {
    unsigned char c = (unsigned char)*p;
    if (c < 0x20) { *err = "control character in string"; free(out); return NULL; }
    if (c != '\\') { *d++ = (char)c; p++; continue; }
    p++;
    switch (*p) {
      case '"': *d++ = '"'; p++; break;
      case '\\': *d++ = '\\'; p++; break;
      case '/': *d++ = '/'; p++; break;
      case 'b': *d++ = '\b'; p++; break;
      case 'f': *d++ = '\f'; p++; break;
      case 'n': *d++ = '\n'; p++; break;
      case 'r': *d++ = '\r'; p++; break;
      case 't': *d++ = '\t'; p++; break;
      case 'u': {
        unsigned cp, lo;
        if (hex4(p + 1, &cp)) { *err = "bad \\u escape"; free(out); return NULL; }
        p += 5;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
            *err = "unpaired surrogate"; free(out); return NULL;
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          p += 6;
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          *err = "unpaired surrogate"; free(out); return NULL;
        }
        if (cp == 0) { *err = "NUL in string"; free(out); return NULL; }
        d += put_utf8(d, cp); /* never longer than the 6+ chars of the escape */
        break;
      }
      default: *err = "bad escape"; free(out); return NULL;
    }
  }
  if (*p != '"') { *err = "unterminated string"; free(out); return NULL; }
  *d = '\0';
  *pp = p + 1;
  return out;
}

static int parse_obj(const char *line, Obj *o, const char **err) {
  const char *p = skip_ws(line);
  o->n = 0;
  if (*p != '{') { *err = "expected a JSON object"; return -1; }
  p = skip_ws(p + 1);
  if (*p == '}') { p = skip_ws(p + 1); if (*p) { *err = "trailing characters"; return -1; } return 0; }
  for (;;) {
    if (o->n >= MAX_FIELDS) { *err = "too many fields"; goto fail; }
    char *k = parse_string(&p, err);
    if (!k) goto fail;
    o->key[o->n] = k;
    o->val[o->n] = NULL;
    o->n++;
    p = skip_ws(p);
    if (*p != ':') { *err = "expected ':'"; goto fail; }
    p = skip_ws(p + 1);
    if (*p == '"') {
      char *v = parse_string(&p, err);
      if (!v) goto fail;
      o->val[o->n - 1] = v;
      o->is_str[o->n - 1] = 1;
    } else {
      const char *s = p;
      while (*p && *p != ',' && *p != '}' && *p != ' ' && *p != '\t') p++;
      size_t len = (size_t)(p - s);
      int ok = (len == 4 && !strncmp(s, "true", 4)) || (len == 5 && !strncmp(s, "false", 5)) ||
               (len == 4 && !strncmp(s, "null", 4));
      if (!ok) {
        char *end;
        char tmp[64];
        if (len == 0 || len >= sizeof tmp) { *err = "bad value"; goto fail; }
        memcpy(tmp, s, len); tmp[len] = '\0';
        strtod(tmp, &end);
        if (*end) { *err = "bad value (objects and arrays are not accepted)"; goto fail; }
      }
      char *v = malloc(len + 1);
      if (!v) { *err = "out of memory"; goto fail; }
      memcpy(v, s, len); v[len] = '\0';
      o->val[o->n - 1] = v;
      o->is_str[o->n - 1] = 0;
    }
    p = skip_ws(p);
    if (*p == ',') { p = skip_ws(p + 1); continue; }
    if (*p == '}') { p = skip_ws(p + 1); break; }
    *err = "expected ',' or '}'";
    goto fail;
  }
  if (*p) { *err = "trailing characters"; goto fail; }
  return 0;
fail:
  obj_free(o);
  return -1;
}

static const char *get_str(const Obj *o, const char *key) {
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->key[i], key) && o->is_str[i]) return o->val[i];
  return NULL;
}
static const char *get_raw(const Obj *o, const char *key) {
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->key[i], key)) return o->val[i];
  return NULL;
}

/* ---------- state reporting ---------- */

typedef struct {
  ConnContext *ctx;
  OtrlMessageState msgstate;
  unsigned char fpr[20];
  int has_fpr;
  int trusted;
  unsigned int version;
} Reported;
static Reported *reported;
static size_t nreported, capreported;

static Reported *reported_for(ConnContext *ctx) {
  for (size_t i = 0; i < nreported; i++)
    if (reported[i].ctx == ctx) return &reported[i];
  if (nreported == capreported) {
    capreported = capreported ? capreported * 2 : 16;
    reported = realloc(reported, capreported * sizeof *reported);
    if (!reported) { fputs("out of memory\n", stderr); exit(2); }
  }
  Reported *r = &reported[nreported++];
  memset(r, 0, sizeof *r);
  r->ctx = ctx;
  r->msgstate = OTRL_MSGSTATE_PLAINTEXT;
  return r;
}

static const char *state_name(OtrlMessageState s) {
  return s == OTRL_MSGSTATE_ENCRYPTED ? "encrypted" : s == OTRL_MSGSTATE_FINISHED ? "finished" : "plaintext";
}

static void report_state(ConnContext *ctx) {
  Reported *r = reported_for(ctx);
  Fingerprint *fp = ctx->active_fingerprint;
  char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN] = "";
  char inst[16];
  r->msgstate = ctx->msgstate;
  r->version = ctx->protocol_version;
  r->has_fpr = fp && fp->fingerprint;
  if (r->has_fpr) {
    memcpy(r->fpr, fp->fingerprint, 20);
    otrl_privkey_hash_to_human(human, fp->fingerprint);
  }
  r->trusted = fp ? otrl_context_is_fingerprint_trusted(fp) : 0;
  snprintf(inst, sizeof inst, "%08x", ctx->their_instance);
  emit("state", "ssisbs", "peer", ctx->username, "state", state_name(ctx->msgstate), "version", (long)ctx->protocol_version, "fingerprint", human,
       "trusted", r->trusted, "instance", inst);
}

/* Report every context whose visible state differs from what was last reported. */
static void report_changes(void) {
  for (ConnContext *c = us->context_root; c; c = c->next) {
    Reported *r = reported_for(c);
    Fingerprint *fp = c->active_fingerprint;
    int has = fp && fp->fingerprint;
    int trusted = fp ? otrl_context_is_fingerprint_trusted(fp) : 0;
    if (r->msgstate != c->msgstate || r->has_fpr != has || (has && memcmp(r->fpr, fp->fingerprint, 20)) ||
        r->trusted != trusted || (c->msgstate != OTRL_MSGSTATE_PLAINTEXT && r->version != c->protocol_version)) {
      if (c->msgstate == OTRL_MSGSTATE_PLAINTEXT && r->msgstate == OTRL_MSGSTATE_PLAINTEXT && !has)
        continue; /* a fresh context with nothing to say yet */
      report_state(c);
    }
  }
}

/* ---------- OtrlMessageAppOps ---------- */

static OtrlMessageAppOps ops;

static OtrlPolicy op_policy(void *opdata, ConnContext *context) {
  (void)opdata; (void)context;
  return policy;
}

static void write_key(const char *acc, const char *proto) {
  if (keyfile) {
    if (otrl_privkey_generate(us, keyfile, acc, proto)) emit_error(NULL, "key generation failed");
  } else {
    FILE *f = tmpfile();
    if (!f || otrl_privkey_generate_FILEp(us, f, acc, proto)) emit_error(NULL, "key generation failed");
    if (f) fclose(f);
  }
}

static void op_create_privkey(void *opdata, const char *acc, const char *proto) {
  (void)opdata;
  write_key(acc, proto);
}

static int op_is_logged_in(void *opdata, const char *acc, const char *proto, const char *recipient) {
  (void)opdata; (void)acc; (void)proto; (void)recipient;
  return 1;
}

static void op_inject(void *opdata, const char *acc, const char *proto, const char *recipient, const char *message) {
  (void)opdata; (void)acc; (void)proto;
  if (!*message) return; /* libotr "sends" "" when there is nothing to send (e.g. to a finished session) */
  emit("wire", "ss", "peer", recipient, "wire", message);
}

static void op_write_fingerprints(void *opdata) {
  (void)opdata;
  if (fprfile && otrl_privkey_write_fingerprints(us, fprfile)) emit_error(NULL, "cannot write fingerprints");
}

static void op_gone_secure(void *opdata, ConnContext *context) { (void)opdata; report_state(context); }
static void op_gone_insecure(void *opdata, ConnContext *context) { (void)opdata; report_state(context); }
static void op_still_secure(void *opdata, ConnContext *context, int is_reply) {
  (void)opdata; (void)is_reply;
  report_state(context);
}

static int op_max_message_size(void *opdata, ConnContext *context) {
  (void)opdata; (void)context;
  return max_message;
}

static void hex_of(char *out, const unsigned char *data, size_t len) {
  for (size_t i = 0; i < len; i++) sprintf(out + 2 * i, "%02x", data[i]);
  out[2 * len] = '\0';
}

static void op_received_symkey(void *opdata, ConnContext *context, unsigned int use, const unsigned char *usedata,
                               size_t usedatalen, const unsigned char *symkey) {
  (void)opdata;
  char key[2 * OTRL_EXTRAKEY_BYTES + 1];
  char *ud = malloc(2 * usedatalen + 1);
  if (!ud) return;
  hex_of(key, symkey, OTRL_EXTRAKEY_BYTES);
  hex_of(ud, usedata, usedatalen);
  emit("symkey", "sissb", "peer", context->username, "use", (long)use, "usedata", ud, "key", key, "received", 1);
  free(ud);
}

static const char *op_otr_error_message(void *opdata, ConnContext *context, OtrlErrorCode code) {
  (void)opdata; (void)context;
  switch (code) {
    case OTRL_ERRCODE_ENCRYPTION_ERROR: return strdup("Error occurred encrypting message.");
    case OTRL_ERRCODE_MSG_NOT_IN_PRIVATE: return strdup("You sent encrypted data to a peer who wasn't expecting it.");
    case OTRL_ERRCODE_MSG_UNREADABLE: return strdup("You transmitted an unreadable encrypted message.");
    case OTRL_ERRCODE_MSG_MALFORMED: return strdup("You transmitted a malformed data message.");
    default: return strdup("");
  }
}
static void op_otr_error_message_free(void *opdata, const char *msg) { (void)opdata; free((char *)msg); }

static void op_handle_smp_event(void *opdata, OtrlSMPEvent ev, ConnContext *context, unsigned short progress,
                                char *question) {
  (void)opdata; (void)progress;
  const char *peer = context->username;
  switch (ev) {
    case OTRL_SMPEVENT_ASK_FOR_ANSWER:
      emit("smp", "sss", "peer", peer, "result", "question", "question", question ? question : "");
      break;
    case OTRL_SMPEVENT_ASK_FOR_SECRET: emit("smp", "ss", "peer", peer, "result", "question"); break;
    case OTRL_SMPEVENT_SUCCESS: emit("smp", "ss", "peer", peer, "result", "succeeded"); break;
    case OTRL_SMPEVENT_FAILURE: emit("smp", "ss", "peer", peer, "result", "failed"); break;
    case OTRL_SMPEVENT_ABORT: emit("smp", "ss", "peer", peer, "result", "aborted"); break;
    case OTRL_SMPEVENT_CHEATED:
    case OTRL_SMPEVENT_ERROR:
      emit("smp", "ss", "peer", peer, "result", "error");
      otrl_message_abort_smp(us, &ops, opdata, context); /* libotr asks the app to abort */
      break;
    default: break; /* IN_PROGRESS, NONE */
  }
}

static void op_handle_msg_event(void *opdata, OtrlMessageEvent ev, ConnContext *context, const char *message,
                                gcry_error_t err) {
  (void)opdata;
  const char *peer = context ? context->username : "";
  const char *kind = NULL;
  int is_error = 1;
  switch (ev) {
    case OTRL_MSGEVENT_ENCRYPTION_REQUIRED: kind = "encryption required: message held until the AKE completes"; is_error = 0; break;
    case OTRL_MSGEVENT_ENCRYPTION_ERROR: kind = "encryption error"; break;
    case OTRL_MSGEVENT_CONNECTION_ENDED: kind = "connection ended by the buddy; message not sent"; break;
    case OTRL_MSGEVENT_SETUP_ERROR: kind = "setup error"; break;
    case OTRL_MSGEVENT_MSG_REFLECTED: kind = "received our own OTR message (reflected)"; break;
    case OTRL_MSGEVENT_MSG_RESENT: kind = "previous message resent"; is_error = 0; break;
    case OTRL_MSGEVENT_RCVDMSG_NOT_IN_PRIVATE: kind = "encrypted message received while not in private"; break;
    case OTRL_MSGEVENT_RCVDMSG_UNREADABLE: kind = "unreadable encrypted message"; break;
    case OTRL_MSGEVENT_RCVDMSG_MALFORMED: kind = "malformed message"; break;
    case OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD: kind = "heartbeat received"; is_error = 0; break;
    case OTRL_MSGEVENT_LOG_HEARTBEAT_SENT: kind = "heartbeat sent"; is_error = 0; break;
    case OTRL_MSGEVENT_RCVDMSG_GENERAL_ERR: kind = "OTR error received"; break;
    case OTRL_MSGEVENT_RCVDMSG_UNENCRYPTED: kind = "unencrypted message received while private"; is_error = 0; break;
    case OTRL_MSGEVENT_RCVDMSG_UNRECOGNIZED: kind = "unrecognized OTR message"; break;
    case OTRL_MSGEVENT_RCVDMSG_FOR_OTHER_INSTANCE: kind = "message for another instance ignored"; is_error = 0; break;
    default: return;
  }
  char buf[512];
  if (message) snprintf(buf, sizeof buf, "%s: %s", kind, message);
  else if (err) snprintf(buf, sizeof buf, "%s: %s", kind, gcry_strerror(err));
  else snprintf(buf, sizeof buf, "%s", kind);
  if (is_error) emit_error(peer, buf);
  else emit("notice", "ss", "peer", peer, "message", buf);
}

static void write_instag_file(const char *acc, const char *proto) {
  if (instagfile) {
    if (otrl_instag_generate(us, instagfile, acc, proto)) emit_error(NULL, "instance tag generation failed");
  } else {
    FILE *f = tmpfile();
    if (!f || otrl_instag_generate_FILEp(us, f, acc, proto)) emit_error(NULL, "instance tag generation failed");
    if (f) fclose(f);
  }
}

static void op_create_instag(void *opdata, const char *acc, const char *proto) {
  (void)opdata;
  write_instag_file(acc, proto);
}

static OtrlMessageAppOps ops = {
    .policy = op_policy,
    .create_privkey = op_create_privkey,
    .is_logged_in = op_is_logged_in,
    .inject_message = op_inject,
    .write_fingerprints = op_write_fingerprints,
    .gone_secure = op_gone_secure,
    .gone_insecure = op_gone_insecure,
    .still_secure = op_still_secure,
    .max_message_size = op_max_message_size,
    .received_symkey = op_received_symkey,
    .otr_error_message = op_otr_error_message,
    .otr_error_message_free = op_otr_error_message_free,
    .handle_smp_event = op_handle_smp_event,
    .handle_msg_event = op_handle_msg_event,
    .create_instag = op_create_instag,
};

/* ---------- ops from stdin ---------- */

static int parse_hex_u32(const char *s, unsigned int *out) {
  char *end;
  if (!s || !*s) return -1;
  errno = 0;
  unsigned long v = strtoul(s, &end, 16);
  if (*end || errno || v > 0xffffffffUL) return -1;
  *out = (unsigned int)v;
  return 0;
}

/* The buddy's instance an op is for: "instance":HEX if given, else the best (most secure) one. */
static int op_instance(const Obj *o, otrl_instag_t *out) {
  const char *inst = get_str(o, "instance");
  *out = OTRL_INSTAG_BEST;
  if (!inst) return 0;
  return parse_hex_u32(inst, out);
}

static ConnContext *find_context(const char *peer, otrl_instag_t inst) {
  return otrl_context_find(us, peer, account, protocol, inst, 0, NULL, NULL, NULL);
}

static int hex_decode(const char *s, unsigned char **out, size_t *outlen) {
  size_t n = strlen(s);
  if (n % 2) return -1;
  unsigned char *b = malloc(n / 2 + 1);
  if (!b) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    unsigned v;
    char tmp[5] = {'0', '0', s[2 * i], s[2 * i + 1], 0};
    if (hex4(tmp, &v)) { free(b); return -1; }
    b[i] = (unsigned char)v;
  }
  *out = b;
  *outlen = n / 2;
  return 0;
}

static void do_line(const char *line) {
  Obj o;
  const char *err = NULL;
  if (parse_obj(line, &o, &err)) {
    emit_error(NULL, err);
    return;
  }
  const char *opname = get_str(&o, "op");
  const char *peer = get_str(&o, "peer");
  otrl_instag_t inst;
  if (!opname) { emit_error(peer, "missing \"op\""); goto out; }
  if (!peer || !*peer) { emit_error(NULL, "missing \"peer\""); goto out; }
  if (op_instance(&o, &inst)) { emit_error(peer, "bad \"instance\" (hex expected)"); goto out; }

  if (!strcmp(opname, "query")) {
    char *q = otrl_proto_default_query_msg(account, policy);
    if (q) { emit("wire", "ss", "peer", peer, "wire", q); free(q); }
    else emit_error(peer, "no query message for this policy");
  } else if (!strcmp(opname, "send")) {
    const char *text = get_str(&o, "text");
    char *newmsg = NULL;
    if (!text) { emit_error(peer, "missing \"text\""); goto out; }
    gcry_error_t e = otrl_message_sending(us, &ops, NULL, account, protocol, peer, inst, text, NULL, &newmsg,
                                          OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
    if (e) emit_error(peer, gcry_strerror(e));
    else if (!newmsg) emit("wire", "ss", "peer", peer, "wire", text); /* unchanged: we send it as is */
    /* else libotr already injected it (fragmented), or it was "" (nothing to send) */
    if (newmsg) otrl_message_free(newmsg);
  } else if (!strcmp(opname, "receive")) {
    const char *wire = get_str(&o, "wire");
    char *newmsg = NULL;
    OtrlTLV *tlvs = NULL;
    ConnContext *ctx = NULL;
    if (!wire) { emit_error(peer, "missing \"wire\""); goto out; }
    int ignore = otrl_message_receiving(us, &ops, NULL, account, protocol, peer, wire, &newmsg, &tlvs, &ctx, NULL, NULL);
    if (!ignore) {
      int encrypted = ctx && ctx->msgstate == OTRL_MSGSTATE_ENCRYPTED && newmsg != NULL;
      emit("message", "ssb", "peer", peer, "text", newmsg ? newmsg : wire, "encrypted", encrypted);
    }
    if (newmsg) otrl_message_free(newmsg);
    if (tlvs) otrl_tlv_free(tlvs);
  } else if (!strcmp(opname, "end")) {
    if (inst == OTRL_INSTAG_BEST) otrl_message_disconnect_all_instances(us, &ops, NULL, account, protocol, peer);
    else otrl_message_disconnect(us, &ops, NULL, account, protocol, peer, inst);
  } else if (!strcmp(opname, "smp") || !strcmp(opname, "smp-answer") || !strcmp(opname, "smp-abort")) {
    ConnContext *ctx = find_context(peer, inst);
    const char *secret = get_str(&o, "secret");
    if (!ctx || ctx->msgstate != OTRL_MSGSTATE_ENCRYPTED) { emit_error(peer, "not in a private conversation"); goto out; }
    if (!strcmp(opname, "smp-abort")) {
      otrl_message_abort_smp(us, &ops, NULL, ctx);
    } else if (!secret) {
      emit_error(peer, "missing \"secret\"");
    } else if (!strcmp(opname, "smp-answer")) {
      otrl_message_respond_smp(us, &ops, NULL, ctx, (const unsigned char *)secret, strlen(secret));
    } else {
      const char *question = get_str(&o, "question");
      if (question)
        otrl_message_initiate_smp_q(us, &ops, NULL, ctx, question, (const unsigned char *)secret, strlen(secret));
      else
        otrl_message_initiate_smp(us, &ops, NULL, ctx, (const unsigned char *)secret, strlen(secret));
    }
  } else if (!strcmp(opname, "symkey")) {
    ConnContext *ctx = find_context(peer, inst);
    const char *usestr = get_raw(&o, "use");
    const char *udhex = get_str(&o, "usedata");
    unsigned char *ud = NULL;
    size_t udlen = 0;
    unsigned char key[OTRL_EXTRAKEY_BYTES];
    char *end = NULL;
    unsigned long use = usestr ? strtoul(usestr, &end, 10) : 0;
    if (!ctx || ctx->msgstate != OTRL_MSGSTATE_ENCRYPTED) { emit_error(peer, "not in a private conversation"); goto out; }
    if (!usestr || !end || *end || use > 0xffffffffUL) { emit_error(peer, "bad \"use\""); goto out; }
    if (hex_decode(udhex ? udhex : "", &ud, &udlen)) { emit_error(peer, "bad \"usedata\" (hex expected)"); goto out; }
    gcry_error_t e = otrl_message_symkey(us, &ops, NULL, ctx, (unsigned int)use, ud, udlen, key);
    if (e) emit_error(peer, gcry_strerror(e));
    else {
      char keyhex[2 * OTRL_EXTRAKEY_BYTES + 1];
      hex_of(keyhex, key, OTRL_EXTRAKEY_BYTES);
      emit("symkey", "siss", "peer", peer, "use", (long)use, "usedata", udhex ? udhex : "", "key", keyhex);
    }
    free(ud);
  } else {
    emit_error(peer, "unknown op");
  }
out:
  obj_free(&o);
}

/* ---------- main ---------- */

static int file_exists(const char *path) {
  struct stat st;
  return path && stat(path, &st) == 0;
}

static void usage(void) {
  fputs("usage: libotr-peer [--account NAME] [--protocol NAME] [--key FILE] [--policy "
        "never|manual|opportunistic|always]\n  [--versions 2,3] [--max-message N] [--instance-tag HEX] "
        "[--fingerprints FILE] [--instance-tags FILE]\n",
        stderr);
  exit(2);
}

int main(int argc, char **argv) {
  const char *versions = "2,3", *instag_hex = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--account")) account = v;
    else if (!strcmp(a, "--protocol")) protocol = v;
    else if (!strcmp(a, "--key")) keyfile = v;
    else if (!strcmp(a, "--fingerprints")) fprfile = v;
    else if (!strcmp(a, "--instance-tags")) instagfile = v;
    else if (!strcmp(a, "--instance-tag")) instag_hex = v;
    else if (!strcmp(a, "--versions")) versions = v;
    else if (!strcmp(a, "--max-message")) max_message = atoi(v);
    else if (!strcmp(a, "--policy")) {
      if (!strcmp(v, "never")) policy = OTRL_POLICY_NEVER;
      else if (!strcmp(v, "manual")) policy = OTRL_POLICY_MANUAL;
      else if (!strcmp(v, "opportunistic")) policy = OTRL_POLICY_OPPORTUNISTIC;
      else if (!strcmp(v, "always")) policy = OTRL_POLICY_ALWAYS;
      else usage();
    } else usage();
  }
  OtrlPolicy vmask = 0;
  for (const char *p = versions; *p; p++) {
    if (*p == '2') vmask |= OTRL_POLICY_ALLOW_V2;
    else if (*p == '3') vmask |= OTRL_POLICY_ALLOW_V3;
    else if (*p != ',') usage();
  }
  if (policy != OTRL_POLICY_NEVER) policy = (policy & ~OTRL_POLICY_VERSION_MASK) | vmask;

  OTRL_INIT;
  us = otrl_userstate_create();

  if (file_exists(keyfile) && otrl_privkey_read(us, keyfile)) {
    fprintf(stderr, "cannot read key file %s\n", keyfile);
    return 1;
  }
  if (!otrl_privkey_find(us, account, protocol)) write_key(account, protocol);

  if (instag_hex) {
    unsigned int tag;
    FILE *f = tmpfile();
    if (parse_hex_u32(instag_hex, &tag) || tag < OTRL_MIN_VALID_INSTAG || !f) usage();
    fprintf(f, "%s\t%s\t%08x\n", account, protocol, tag);
    rewind(f);
    if (otrl_instag_read_FILEp(us, f)) { fputs("cannot set instance tag\n", stderr); return 1; }
    fclose(f);
  } else if (file_exists(instagfile) && otrl_instag_read(us, instagfile)) {
    fprintf(stderr, "cannot read instance tags %s\n", instagfile);
    return 1;
  }
  if (!otrl_instag_find(us, account, protocol)) write_instag_file(account, protocol);
  if (file_exists(fprfile) && otrl_privkey_read_fingerprints(us, fprfile, NULL, NULL)) {
    fprintf(stderr, "cannot read fingerprints %s\n", fprfile);
    return 1;
  }

  char fpr[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
  OtrlInsTag *it = otrl_instag_find(us, account, protocol);
  if (!otrl_privkey_fingerprint(us, fpr, account, protocol) || !it) {
    fputs("no key or instance tag\n", stderr);
    return 1;
  }
  char taghex[16];
  snprintf(taghex, sizeof taghex, "%08x", it->instag);
  emit("ready", "ss", "fingerprint", fpr, "instanceTag", taghex);
  fflush(stdout);

  unsigned int interval = otrl_message_poll_get_default_interval(us);
  time_t lastpoll = time(NULL);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    if ((size_t)n != strlen(line)) emit_error(NULL, "NUL byte in input line");
    else {
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
      if (n > 0) do_line(line);
      else emit_error(NULL, "empty line");
    }
    if (time(NULL) - lastpoll >= (time_t)interval) {
      otrl_message_poll(us, &ops, NULL);
      lastpoll = time(NULL);
    }
    report_changes();
    emit("done", "");
    fflush(stdout);
  }
  free(line);
  otrl_userstate_free(us);
  return 0;
}
