/*
 * keytool: libotr 4.1.1's own handling of key, fingerprint and instance-tag files, driven from
 * the command line so test/interop/keyfiles.test.ts can cross-check offrecord against it.
 *
 *   keytool gen FILE ACCOUNT PROTOCOL          otrl_privkey_generate (keeps other accounts in FILE)
 *   keytool keys FILE                          per key: account TAB protocol TAB human-fp TAB pubkey-hex
 *                                              (pubkey-hex = libotr's pubkey_data: MPIs p,q,g,y)
 *   keytool sign FILE ACCOUNT PROTOCOL HEX     otrl_privkey_sign over the bytes HEX; prints the 40-byte sig
 *   keytool verify PUBHEX DATAHEX SIGHEX       otrl_privkey_verify; prints ok or bad
 *   keytool fpr-dump FILE                      otrl_privkey_read_fingerprints, then every fingerprint:
 *                                              user TAB account TAB protocol TAB hex TAB trust|(null)
 *   keytool fpr-copy IN OUT                    read with libotr, write with otrl_privkey_write_fingerprints
 *   keytool instag-gen FILE ACCOUNT PROTOCOL   otrl_instag_generate (after reading FILE if it exists)
 *   keytool instag-dump FILE                   otrl_instag_read, then account TAB protocol TAB %08x
 *   keytool instag-copy IN OUT                 otrl_instag_read then otrl_instag_write
 * Exit status 0 on success, 1 on a libotr error (printed to stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
#include <libotr/context.h>

static int die(const char *what, gcry_error_t err) {
  fprintf(stderr, "keytool: %s: %s\n", what, gcry_strerror(err));
  return 1;
}

static int usage(void) {
  fprintf(stderr, "keytool: bad usage (see the comment at the top of keytool.c)\n");
  return 2;
}

static unsigned char *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex);
  if (n % 2) return NULL;
  unsigned char *out = malloc(n / 2 + 1);
  for (size_t i = 0; i < n / 2; i++) {
    unsigned int v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) { free(out); return NULL; }
    out[i] = (unsigned char)v;
  }
  *len = n / 2;
  return out;
}

static void printhex(const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Reads one MPI (4-byte length, value) from buf; returns NULL on truncation. */
static gcry_mpi_t read_mpi(const unsigned char **buf, size_t *left) {
  if (*left < 4) return NULL;
  size_t len = ((size_t)(*buf)[0] << 24) | ((size_t)(*buf)[1] << 16) | ((size_t)(*buf)[2] << 8) | (*buf)[3];
  *buf += 4; *left -= 4;
  if (*left < len) return NULL;
  gcry_mpi_t m;
  if (len) gcry_mpi_scan(&m, GCRYMPI_FMT_USG, *buf, len, NULL);
  else m = gcry_mpi_set_ui(NULL, 0);
  *buf += len; *left -= len;
  return m;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  OTRL_INIT;
  OtrlUserState us = otrl_userstate_create();
  const char *cmd = argv[1];
  gcry_error_t err;

  if (!strcmp(cmd, "gen") && argc == 5) {
    if (access(argv[2], R_OK) == 0) {
      err = otrl_privkey_read(us, argv[2]);
      if (err) return die("read", err);
    }
    err = otrl_privkey_generate(us, argv[2], argv[3], argv[4]);
    if (err) return die("generate", err);
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    if (!otrl_privkey_fingerprint(us, human, argv[3], argv[4])) return die("fingerprint", 0);
    printf("%s\n", human);
    return 0;
  }
  if (!strcmp(cmd, "keys") && argc == 3) {
    err = otrl_privkey_read(us, argv[2]);
    if (err) return die("read", err);
    for (OtrlPrivKey *p = us->privkey_root; p; p = p->next) {
      char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
      if (!otrl_privkey_fingerprint(us, human, p->accountname, p->protocol)) return die("fingerprint", 0);
      printf("%s\t%s\t%s\t", p->accountname, p->protocol, human);
      printhex(p->pubkey_data, p->pubkey_datalen);
      printf("\n");
    }
    return 0;
  }
  if (!strcmp(cmd, "sign") && argc == 6) {
    err = otrl_privkey_read(us, argv[2]);
    if (err) return die("read", err);
    OtrlPrivKey *p = otrl_privkey_find(us, argv[3], argv[4]);
    if (!p) return die("no such key", 0);
    size_t len;
    unsigned char *data = unhex(argv[5], &len);
    if (!data) return usage();
    unsigned char *sig;
    size_t siglen;
    err = otrl_privkey_sign(&sig, &siglen, p, data, len);
    if (err) return die("sign", err);
    printhex(sig, siglen);
    printf("\n");
    return 0;
  }
  if (!strcmp(cmd, "verify") && argc == 5) {
    size_t publen, datalen, siglen;
    unsigned char *pub = unhex(argv[2], &publen);
    unsigned char *data = unhex(argv[3], &datalen);
    unsigned char *sig = unhex(argv[4], &siglen);
    if (!pub || !data || !sig) return usage();
    const unsigned char *b = pub;
    size_t left = publen;
    gcry_mpi_t p = read_mpi(&b, &left), q = read_mpi(&b, &left), g = read_mpi(&b, &left), y = read_mpi(&b, &left);
    if (!p || !q || !g || !y || left != 0) return usage();
    gcry_sexp_t pubs;
    err = gcry_sexp_build(&pubs, NULL, "(public-key (dsa (p %m)(q %m)(g %m)(y %m)))", p, q, g, y);
    if (err) return die("pubkey", err);
    err = otrl_privkey_verify(sig, siglen, OTRL_PUBKEY_TYPE_DSA, pubs, data, datalen);
    printf("%s\n", err ? "bad" : "ok");
    return 0;
  }
  if (!strcmp(cmd, "fpr-dump") && argc == 3) {
    err = otrl_privkey_read_fingerprints(us, argv[2], NULL, NULL);
    if (err) return die("read fingerprints", err);
    for (ConnContext *c = us->context_root; c; c = c->next) {
      for (Fingerprint *f = c->fingerprint_root.next; f; f = f->next) {
        printf("%s\t%s\t%s\t", c->username, c->accountname, c->protocol);
        printhex(f->fingerprint, 20);
        printf("\t%s\n", f->trust ? f->trust : "(null)");
      }
    }
    return 0;
  }
  if (!strcmp(cmd, "fpr-copy") && argc == 4) {
    err = otrl_privkey_read_fingerprints(us, argv[2], NULL, NULL);
    if (err) return die("read fingerprints", err);
    err = otrl_privkey_write_fingerprints(us, argv[3]);
    if (err) return die("write fingerprints", err);
    return 0;
  }
  if (!strcmp(cmd, "instag-gen") && argc == 5) {
    if (access(argv[2], R_OK) == 0) {
      err = otrl_instag_read(us, argv[2]);
      if (err) return die("read instags", err);
    }
    err = otrl_instag_generate(us, argv[2], argv[3], argv[4]);
    if (err) return die("generate instag", err);
    OtrlInsTag *t = otrl_instag_find(us, argv[3], argv[4]);
    if (!t) return die("no instag", 0);
    printf("%08x\n", t->instag);
    return 0;
  }
  if (!strcmp(cmd, "instag-dump") && argc == 3) {
    err = otrl_instag_read(us, argv[2]);
    if (err) return die("read instags", err);
    for (OtrlInsTag *t = us->instag_root; t; t = t->next) printf("%s\t%s\t%08x\n", t->accountname, t->protocol, t->instag);
    return 0;
  }
  if (!strcmp(cmd, "instag-copy") && argc == 4) {
    err = otrl_instag_read(us, argv[2]);
    if (err) return die("read instags", err);
    err = otrl_instag_write(us, argv[3]);
    if (err) return die("write instags", err);
    return 0;
  }
  return usage();
}
