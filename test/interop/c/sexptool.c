/*
 * sexptool: libgcrypt's own S-expression printer and reader (the ones libotr 4.1.1 writes and
 * reads otr.private_key with), driven from the command line so test/interop/keyfiles.test.ts
 * can compare offrecord's src/otr/keyfile.ts with them atom by atom.
 *
 *   sexptool sprint     per stdin line HEX (an atom's bytes): gcry_sexp_build "(%b)", then
 *                       gcry_sexp_sprint(GCRYSEXP_FMT_ADVANCED); prints the printed bytes as hex
 *                       (all of them: a token may hold a raw 0x00, which strlen would cut)
 *   sexptool sprint-mpi per stdin line HEX (an unsigned big-endian number): gcry_mpi_scan USG,
 *                       gcry_sexp_build "(%m)" as libgcrypt's DSA keygen stores x, then as sprint
 *   sexptool version    the libgcrypt version in use (gcry_check_version(NULL)), e.g. 1.10.1
 *   sexptool scan       per stdin line HEX (text of an S-expression): gcry_sexp_new (as
 *                       otrl_privkey_read does, length given); prints the canonical form as hex,
 *                       or "error" if libgcrypt refuses it
 * One output line per input line. Exit status 0, or 2 on bad usage or bad hex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

static int usage(void) {
  fprintf(stderr, "sexptool: bad usage (see the comment at the top of sexptool.c)\n");
  return 2;
}

/* Hex text (no newline) to bytes; NULL on odd length or a non-hex digit. */
static unsigned char *unhex(const char *hex, size_t n, size_t *len) {
  if (n % 2) return NULL;
  unsigned char *out = malloc(n / 2 + 1);
  for (size_t i = 0; i < n / 2; i++) {
    unsigned int v;
    char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
    char *end;
    v = (unsigned int)strtoul(pair, &end, 16);
    if (*end) {
      free(out);
      return NULL;
    }
    out[i] = (unsigned char)v;
  }
  *len = n / 2;
  return out;
}

static void printhex(const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

/* Prints S in MODE as hex, without the C-string terminator gcry_sexp_sprint adds. */
static void print_sexp(gcry_sexp_t s, int mode) {
  size_t need = gcry_sexp_sprint(s, mode, NULL, 0);
  char *buf = malloc(need);
  size_t len = gcry_sexp_sprint(s, mode, buf, need);
  printhex((unsigned char *)buf, len);
  free(buf);
}

int main(int argc, char **argv) {
  if (argc != 2) return usage();
  if (!gcry_check_version(NULL)) return 1;
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  const char *cmd = argv[1];
  if (!strcmp(cmd, "version")) {
    printf("%s\n", gcry_check_version(NULL));
    return 0;
  }
  if (strcmp(cmd, "sprint") && strcmp(cmd, "sprint-mpi") && strcmp(cmd, "scan")) return usage();

  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  while ((got = getline(&line, &cap, stdin)) >= 0) {
    size_t n = (size_t)got;
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    size_t len;
    unsigned char *b = unhex(line, n, &len);
    if (!b) return usage();
    gcry_sexp_t s = NULL;
    gcry_error_t err;
    if (!strcmp(cmd, "sprint")) {
      err = gcry_sexp_build(&s, NULL, "(%b)", (int)len, b);
      if (err) return usage();
      print_sexp(s, GCRYSEXP_FMT_ADVANCED);
    } else if (!strcmp(cmd, "sprint-mpi")) {
      gcry_mpi_t m;
      if (len) err = gcry_mpi_scan(&m, GCRYMPI_FMT_USG, b, len, NULL);
      else m = gcry_mpi_new(0), err = 0;
      if (err) return usage();
      err = gcry_sexp_build(&s, NULL, "(%m)", m);
      gcry_mpi_release(m);
      if (err) return usage();
      print_sexp(s, GCRYSEXP_FMT_ADVANCED);
    } else {
      err = gcry_sexp_new(&s, b, len, 0);
      if (err) printf("error\n");
      else print_sexp(s, GCRYSEXP_FMT_CANON);
    }
    gcry_sexp_release(s);
    free(b);
  }
  free(line);
  fflush(stdout);
  return 0;
}
