/*
 * smp-peer: libotr 4.1.1's own SMP steps (otrl_sm_step1 .. otrl_sm_step5 from sm.h) on stdin/stdout,
 * so a test can run one side of an SMP exchange with offrecord's src/otr/smp.ts on the other.
 *
 * One command per line, one reply line per command:
 *   step1 SECRETHEX          -> "ok PROG OUTHEX"      (Alice: SMP1 payload)
 *   step2a INHEX Q           -> "ok PROG -"           (Bob: check SMP1; Q is 0 or 1, received_question)
 *   step2b SECRETHEX         -> "ok PROG OUTHEX"      (Bob: SMP2 payload)
 *   step3 INHEX              -> "ERR PROG OUTHEX|-"   (Alice: check SMP2, SMP3 payload)
 *   step4 INHEX              -> "ERR PROG OUTHEX|-"   (Bob: check SMP3, SMP4 payload)
 *   step5 INHEX              -> "ERR PROG -"          (Alice: check SMP4)
 * ERR is 0 when libotr returned no error, else its gcry error code; PROG is sm_prog_state
 * (0 ok, 1 succeeded, -1 failed, -2 cheated). An empty hex string is written as "-".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <libotr/proto.h>
#include <libotr/sm.h>

static unsigned char *unhex(const char *s, int *len) {
    size_t n = strlen(s);
    if (strcmp(s, "-") == 0) n = 0;
    unsigned char *out = malloc(n / 2 + 1);
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned int b;
        sscanf(s + i, "%2x", &b);
        out[i / 2] = (unsigned char)b;
    }
    *len = (int)(n / 2);
    return out;
}

static void reply(gcry_error_t err, const OtrlSMState *st, const unsigned char *out, int outlen) {
    printf("%u %d ", (unsigned int)err, (int)st->sm_prog_state);
    if (!out || outlen == 0) {
        printf("-");
    } else {
        for (int i = 0; i < outlen; i++) printf("%02x", out[i]);
    }
    printf("\n");
    fflush(stdout);
}

int main(void) {
    OTRL_INIT;
    otrl_sm_init();
    OtrlSMState st;
    otrl_sm_state_new(&st);
    otrl_sm_state_init(&st);

    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *cmd = strtok(line, " ");
        char *arg = strtok(NULL, " ");
        char *arg2 = strtok(NULL, " ");
        if (!cmd) continue;
        if (strcmp(cmd, "quit") == 0) break;
        if (!arg) {
            printf("bad command\n");
            fflush(stdout);
            continue;
        }
        int inlen = 0;
        unsigned char *in = unhex(arg, &inlen);
        unsigned char *out = NULL;
        int outlen = 0;
        gcry_error_t err = 0;
        if (strcmp(cmd, "step1") == 0) {
            err = otrl_sm_step1(&st, in, inlen, &out, &outlen);
        } else if (strcmp(cmd, "step2a") == 0) {
            err = otrl_sm_step2a(&st, in, inlen, arg2 && arg2[0] == '1');
        } else if (strcmp(cmd, "step2b") == 0) {
            err = otrl_sm_step2b(&st, in, inlen, &out, &outlen);
        } else if (strcmp(cmd, "step3") == 0) {
            err = otrl_sm_step3(&st, in, inlen, &out, &outlen);
        } else if (strcmp(cmd, "step4") == 0) {
            err = otrl_sm_step4(&st, in, inlen, &out, &outlen);
        } else if (strcmp(cmd, "step5") == 0) {
            err = otrl_sm_step5(&st, in, inlen);
        } else {
            printf("bad command\n");
            fflush(stdout);
            free(in);
            continue;
        }
        reply(err, &st, out, outlen);
        free(out);
        free(in);
    }
    otrl_sm_state_free(&st);
    return 0;
}
