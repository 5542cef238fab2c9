/*
 * Drives native/native-heap.c (preloaded) through every function it interposes and prints what its
 * counters read after each step, one line per step: `<step> <rise> <live change>`. It stands in for
 * Node: it defines the four Node-API functions the library calls (exported with -rdynamic), which
 * hand it the library's reset function and counters.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*callback)(void *, void *);
static callback reset_function;
static double *counters;

int napi_create_function(void *env, const char *name, size_t length, callback cb, void *data, void **out) {
  (void)env, (void)name, (void)length, (void)data, (void)out;
  reset_function = cb;
  return 0;
}
int napi_set_named_property(void *env, void *object, const char *name, void *value) {
  (void)env, (void)object, (void)name, (void)value;
  return 0;
}
int napi_create_external_arraybuffer(void *env, void *data, size_t length, void *finalize, void *hint, void **out) {
  (void)env, (void)length, (void)finalize, (void)hint, (void)out;
  counters = data;
  return 0;
}
int napi_get_boolean(void *env, int value, void **out) {
  (void)env, (void)value, (void)out;
  return 0;
}

static double live_before;

static void step(const char *name) {
  reset_function(NULL, NULL);
  printf("%s %.0f %.0f\n", name, counters[2], counters[3] - live_before);
  live_before = counters[3];
}

#define MB (1024 * 1024)

/*
 * One of eight threads allocating and freeing at once, as libuv's pool and addon threads do: with a
 * counter updated by plain `+=`, increments from two threads overwrite each other and the live count
 * drifts away from where it started.
 */
static void *churn(void *seed) {
  unsigned state = (unsigned)(size_t)seed;
  void *held[64] = { 0 };
  for (int i = 0; i < 200000; i++) {
    state = state * 1103515245u + 12345u;
    int slot = (int)(state >> 16) % 64;
    free(held[slot]);
    held[slot] = (state & 1) ? malloc(1 + (state >> 20) % 4096) : realloc(NULL, 1 + (state >> 21) % 2048);
  }
  for (int slot = 0; slot < 64; slot++)
    free(held[slot]);
  return NULL;
}

int main(void) {
  /* stdout's buffer would otherwise be malloc'd at the first printf, inside a step. */
  static char out[1 << 16];
  setvbuf(stdout, out, _IOFBF, sizeof out);
  void *(*register_module)(void *, void *) = (void *(*)(void *, void *))dlsym(RTLD_DEFAULT, "napi_register_module_v1");
  if (register_module == NULL) {
    puts("not-preloaded 0 0");
    return 2;
  }
  register_module(NULL, NULL);
  step("start");
  void *a = malloc(10 * MB);
  step("malloc");
  void *b = calloc(10, MB);
  step("calloc");
  a = realloc(a, 20 * MB);
  step("realloc-grow");
  a = realloc(a, 5 * MB);
  step("realloc-shrink");
  void *gone = realloc(malloc(MB), 0);
  step("realloc-zero");
  void *c = reallocarray(NULL, 4, MB);
  step("reallocarray");
  volatile size_t huge = (size_t)-1;
  void *overflow = reallocarray(NULL, huge, 16);
  step("reallocarray-overflow");
  void *d = NULL;
  int failed = posix_memalign(&d, 4096, 3 * MB);
  step("posix_memalign");
  void *e = aligned_alloc(64, 2 * MB);
  step("aligned_alloc");
  void *f = memalign(256, MB);
  step("memalign");
  void *g = valloc(MB);
  step("valloc");
  void *h = pvalloc(MB);
  step("pvalloc");
  free(a), free(b), free(c), free(d), free(e), free(f), free(g), free(h);
  step("free-all");
  /* Older memory freed inside a segment, then as much allocated: the rise is the allocation. */
  void *older = malloc(10 * MB);
  step("older");
  free(older);
  void *newer = malloc(10 * MB);
  step("free-older-then-malloc");
  /* Allocated and freed within one segment: the peak is kept. */
  free(newer);
  void *spike = malloc(100 * MB);
  memset(spike, 1, 100 * MB);
  free(spike);
  step("spike");
  /* The first round makes the threads' stacks and glibc's per-thread blocks, which it keeps for reuse. */
  pthread_t threads[8];
  for (int round = 0; round < 2; round++) {
    for (size_t t = 0; t < 8; t++)
      pthread_create(&threads[t], NULL, churn, (void *)(t + 1 + 8 * (size_t)round));
    for (size_t t = 0; t < 8; t++)
      pthread_join(threads[t], NULL);
    step(round == 0 ? "threads-start" : "threads");
  }
  return (gone != NULL) + (overflow != NULL) + failed;
}
