/* Per-call cost of calls the LD_PRELOAD library hooks, all allowed by the policy (so the hook
 * checks and passes the call through), and a control the library does not hook. Run it directly
 * and under the wrapper; the difference is the pass-through cost.
 *
 *   hooks N_FAST N_TCP FILE
 *
 * Prints one line per operation: `name ns_per_call failures`. Operations:
 *   getpid          syscall(SYS_getpid): not hooked (control)
 *   open_close      open(FILE, O_RDONLY) + close: a read-only open outside the tmp roots
 *   udp_connect     connect() of one UDP socket to a bound 127.0.0.1 port, repeated
 *   udp_sendto      sendto() of one byte to that port
 *   tcp_connect     socket + connect to a 127.0.0.1 listener (accepted by a thread) + close
 *                   (SO_LINGER 0: no TIME_WAIT), N_TCP times
 * and, last, one probe that the policy covers, to show the hooks are in place: create and delete
 * a file under /tmp (`tmp_probe 0` when it worked, else the errno). Under the wrapper it gives
 * `ld_preload` alert lines (alert mode) or is refused (block mode).
 * Everything stays on 127.0.0.1. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct sockaddr_in loopback(int fd) {
  struct sockaddr_in a = {0};
  socklen_t len = sizeof a;
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0) {
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
      perror("bind");
      exit(2);
    }
    getsockname(fd, (struct sockaddr *)&a, &len);
  }
  return a;
}

static void *acceptor(void *arg) {
  int lfd = *(int *)arg;
  for (;;) {
    int c = accept(lfd, NULL, NULL);
    if (c >= 0) close(c);
  }
  return NULL;
}

static void report(const char *name, double t0, long n, long failures) {
  printf("%s %.1f %ld\n", name, (now_ns() - t0) / n, failures);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: hooks N_FAST N_TCP FILE\n");
    return 2;
  }
  long n = atol(argv[1]), ntcp = atol(argv[2]);
  const char *file = argv[3];
  long fail = 0;
  double t0;

  t0 = now_ns();
  for (long i = 0; i < n; i++) fail += syscall(SYS_getpid) <= 0;
  report("getpid", t0, n, fail);

  fail = 0;
  t0 = now_ns();
  for (long i = 0; i < n; i++) {
    int fd = open(file, O_RDONLY);
    if (fd < 0) fail++;
    else close(fd);
  }
  report("open_close", t0, n, fail);

  int rx = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in udp = loopback(rx);
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  fail = 0;
  t0 = now_ns();
  for (long i = 0; i < n; i++)
    fail += connect(tx, (struct sockaddr *)&udp, sizeof udp) != 0;
  report("udp_connect", t0, n, fail);
  close(tx);

  tx = socket(AF_INET, SOCK_DGRAM, 0);
  int rcvbuf = 4096;
  setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  fail = 0;
  t0 = now_ns();
  for (long i = 0; i < n; i++)
    fail += sendto(tx, "x", 1, 0, (struct sockaddr *)&udp, sizeof udp) != 1;
  report("udp_sendto", t0, n, fail);
  close(tx);
  close(rx);

  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in tcp = loopback(lfd);
  listen(lfd, 1024);
  pthread_t th;
  pthread_create(&th, NULL, acceptor, &lfd);
  struct linger lg = {1, 0};
  fail = 0;
  t0 = now_ns();
  for (long i = 0; i < ntcp; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    fail += connect(fd, (struct sockaddr *)&tcp, sizeof tcp) != 0;
    close(fd);
  }
  report("tcp_connect", t0, ntcp, fail);

  char probe[64];
  snprintf(probe, sizeof probe, "/tmp/faasguard-shield-bench-probe.%d", (int)getpid());
  int pfd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
  int perr = pfd < 0 ? errno : 0;
  if (pfd >= 0) {
    close(pfd);
    if (unlink(probe) != 0) perr = errno;
  }
  printf("tmp_probe %d\n", perr);
  return 0;
}
