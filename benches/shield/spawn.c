/* Start-up timer for the shield benchmark: runs command A and command B alternately (A then B
 * in even rounds, B then A in odd ones), ROUNDS times each after WARMUP unrecorded rounds, and
 * prints the wall time of each start-to-exit in microseconds: min and median of each, the
 * difference of the minimums and of the medians, and the median of the per-round differences.
 *
 *   spawn ROUNDS WARMUP LOGFILE A... -- B...
 *
 * Children inherit the environment; their stdout goes to /dev/null and their stderr is appended
 * to LOGFILE (where the wrapper's init lines are read back). A non-zero exit aborts the run. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *logfile;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double run(char **argv) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, logfile, O_WRONLY | O_APPEND | O_CREAT, 0644);
  pid_t pid;
  int status;
  double t0 = now_us();
  int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  if (err != 0) {
    fprintf(stderr, "spawn: cannot start %s: %s\n", argv[0], strerror(err));
    exit(2);
  }
  waitpid(pid, &status, 0);
  double t1 = now_us();
  posix_spawn_file_actions_destroy(&fa);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "spawn: %s exited with status %d (see %s)\n", argv[0], status, logfile);
    exit(2);
  }
  return t1 - t0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: spawn ROUNDS WARMUP LOGFILE A... -- B...\n");
    return 2;
  }
  int rounds = atoi(argv[1]), warmup = atoi(argv[2]);
  logfile = argv[3];
  char **a = argv + 4, **b = NULL;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      argv[i] = NULL;
      b = argv + i + 1;
      break;
    }
  }
  if (rounds < 1 || b == NULL || b[0] == NULL) {
    fprintf(stderr, "usage: spawn ROUNDS WARMUP LOGFILE A... -- B...\n");
    return 2;
  }
  double *ta = calloc(rounds, sizeof(double)), *tb = calloc(rounds, sizeof(double));
  double *d = calloc(rounds, sizeof(double));
  for (int i = 0; i < warmup; i++) {
    run(a);
    run(b);
  }
  for (int i = 0; i < rounds; i++) {
    if (i % 2 == 0) {
      ta[i] = run(a);
      tb[i] = run(b);
    } else {
      tb[i] = run(b);
      ta[i] = run(a);
    }
    d[i] = tb[i] - ta[i];
  }
  double dmed = median(d, rounds);
  double amed = median(ta, rounds), bmed = median(tb, rounds);
  /* sorted by median() */
  printf("%.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", ta[0], amed, tb[0], bmed, tb[0] - ta[0],
         bmed - amed, dmed);
  return 0;
}
