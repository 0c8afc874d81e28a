/* close_matches.c - Python's difflib.get_close_matches(word, possibilities, n, cutoff), which the
 * yolo CLI uses to suggest arguments for a mistyped key: SequenceMatcher(None, x, word).ratio()
 * = 2 M / (len(x) + len(word)), M the characters of the matching blocks found by taking the
 * longest common block (the earliest in x, then in word, among equal lengths) and recursing on
 * both sides of it; the n best with ratio >= cutoff, best first, equal ratios in reverse string
 * order (heapq.nlargest on (ratio, x) pairs). No junk heuristics: they apply to sequences of 200
 * elements or more only. */
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"

#define MAX_LEN 256

/* Characters of the matching blocks of a[alo, ahi) and b[blo, bhi). */
static int matched(const char *a, int alo, int ahi, const char *b, int blo, int bhi)
{
    if (alo >= ahi || blo >= bhi)
        return 0;
    /* the longest block: len[j] = length of the common run ending at a[i], b[j] */
    int len[MAX_LEN + 1] = {0}, next[MAX_LEN + 1];
    int besti = alo, bestj = blo, best = 0;
    for (int i = alo; i < ahi; i++) {
        for (int j = blo; j < bhi; j++) {
            next[j] = a[i] == b[j] ? (j > blo ? len[j - 1] : 0) + 1 : 0;
            if (next[j] > best) {
                best = next[j];
                besti = i - best + 1;
                bestj = j - best + 1;
            }
        }
        memcpy(len + blo, next + blo, sizeof *len * (size_t)(bhi - blo));
    }
    if (best == 0)
        return 0;
    return best + matched(a, alo, besti, b, blo, bestj) +
           matched(a, besti + best, ahi, b, bestj + best, bhi);
}

double cli_similarity(const char *x, const char *word)
{
    int lx = (int)strlen(x), lw = (int)strlen(word);
    if (lx + lw == 0)
        return 1.0;
    if (lx > MAX_LEN || lw > MAX_LEN)
        return 0.0;
    return 2.0 * matched(x, 0, lx, word, 0, lw) / (lx + lw);
}

int cli_close_matches(const char *word, const char *const *possibilities, int count, int n,
                      double cutoff, const char **out)
{
    int found = 0;
    double score[16];
    if (n > 16)
        n = 16;
    for (int i = 0; i < count; i++) {
        double r = cli_similarity(possibilities[i], word);
        if (r < cutoff)
            continue;
        /* insert into the best n, ordered by (ratio, string) descending */
        int at = found;
        while (at > 0 && (score[at - 1] < r ||
                          (score[at - 1] == r && strcmp(out[at - 1], possibilities[i]) < 0)))
            at--;
        if (at >= n)
            continue;
        int last = found < n ? found : n - 1;
        for (int k = last; k > at; k--) {
            score[k] = score[k - 1];
            out[k] = out[k - 1];
        }
        score[at] = r;
        out[at] = possibilities[i];
        if (found < n)
            found++;
    }
    return found;
}
