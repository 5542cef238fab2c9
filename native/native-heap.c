/*
 * native-heap: counts the bytes live in the C heap of the process it is preloaded into (LD_PRELOAD),
 * at every call of the malloc family, and the highest rise of that count above its lowest point
 * since the last reset: what native code (SQLite, libvips, zlib, Node's own ArrayBuffer contents)
 * asked the allocator for, exact even inside one synchronous call.
 *
 * The same file is a Node-API module: the worker loads it with process.dlopen, which finds the
 * object already loaded by LD_PRELOAD and so reads the very counters the interposer keeps. The
 * Node-API functions are declared here (the ABI is stable) and weak, so building needs no Node
 * headers and a process that is not Node (a child the test spawns) still loads the library.
 *
 * Sizes are malloc_usable_size(): the allocator's rounding is included (at most 24 bytes per block
 * with glibc), and no side table is needed. Symbols are bound to glibc 2.2.5 versions so the built
 * file loads on any x86-64 glibc from 2.17 on (test/native/native-library.test.ts checks it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
/* Newer glibc versions these names (dlsym at 2.34, memcpy at 2.14); the oldest x86-64 ones load everywhere. */
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver memcpy,memcpy@GLIBC_2.2.5");
#endif

#define EXPORT __attribute__((visibility("default")))

extern size_t malloc_usable_size(void *ptr);

/* ---- counters ---------------------------------------------------------------------------------- */

/*
 * One segment runs from one reset to the next: its lowest and highest live count, and the highest
 * rise above the lowest point before it (max over t of live(t) - min over s <= t of live(s)). A window
 * opened in JavaScript is a run of segments, which compose without the counts in between (see
 * src/measure/native.ts), so nested windows share one set of counters.
 * Relaxed atomics: threads (libuv's pool, worker_threads, addon threads) allocate concurrently, and
 * each update only needs to be indivisible; the compare-and-swap loops run only on a new extreme.
 */
static int64_t live;
static int64_t seg_min;
static int64_t seg_max;
static int64_t seg_rise;

static inline void raise_to(int64_t *slot, int64_t value) {
  int64_t seen = __atomic_load_n(slot, __ATOMIC_RELAXED);
  while (value > seen && !__atomic_compare_exchange_n(slot, &seen, value, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

static inline void lower_to(int64_t *slot, int64_t value) {
  int64_t seen = __atomic_load_n(slot, __ATOMIC_RELAXED);
  while (value < seen && !__atomic_compare_exchange_n(slot, &seen, value, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

static inline void grew(size_t bytes) {
  int64_t now = __atomic_add_fetch(&live, (int64_t)bytes, __ATOMIC_RELAXED);
  raise_to(&seg_max, now);
  raise_to(&seg_rise, now - __atomic_load_n(&seg_min, __ATOMIC_RELAXED));
}

static inline void shrank(size_t bytes) {
  int64_t now = __atomic_sub_fetch(&live, (int64_t)bytes, __ATOMIC_RELAXED);
  lower_to(&seg_min, now);
}

/* ---- the real allocator ------------------------------------------------------------------------- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

/*
 * dlsym allocates (calloc for its error state) before it can return the real calloc: those few
 * blocks come from this buffer, are never counted and never freed.
 */
static _Alignas(16) char bootstrap[4096];
static size_t bootstrap_used;
static int resolving;

static int from_bootstrap(const void *ptr) {
  return (const char *)ptr >= bootstrap && (const char *)ptr < bootstrap + sizeof bootstrap;
}

static void *bootstrap_alloc(size_t size) {
  size_t start = (bootstrap_used + 15) & ~(size_t)15;
  if (start + size > sizeof bootstrap)
    return NULL;
  bootstrap_used = start + size;
  return bootstrap + start;
}

/* Runs first from the library's constructor, while the process has one thread. */
static void resolve(void) {
  if (real_free != NULL || resolving)
    return;
  resolving = 1;
  /* free first: dlsym may free what it allocated once the real malloc is known. */
  real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
  real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
  real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
  real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
  real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
  real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
  real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
  resolving = 0;
}

static inline void *counted(void *ptr) {
  if (ptr != NULL)
    grew(malloc_usable_size(ptr));
  return ptr;
}

/* ---- the interposed family ---------------------------------------------------------------------- */

EXPORT void *malloc(size_t size) {
  if (real_malloc == NULL) {
    resolve();
    if (real_malloc == NULL)
      return bootstrap_alloc(size);
  }
  return counted(real_malloc(size));
}

EXPORT void *calloc(size_t count, size_t size) {
  if (real_calloc == NULL) {
    resolve();
    if (real_calloc == NULL) {
      size_t bytes;
      if (__builtin_mul_overflow(count, size, &bytes))
        return NULL;
      /* Static storage is zeroed and never handed out twice. */
      return bootstrap_alloc(bytes);
    }
  }
  return counted(real_calloc(count, size));
}

EXPORT void free(void *ptr) {
  if (ptr == NULL || from_bootstrap(ptr))
    return;
  if (real_free == NULL)
    resolve();
  shrank(malloc_usable_size(ptr));
  real_free(ptr);
}

EXPORT void *realloc(void *ptr, size_t size) {
  if (ptr != NULL && from_bootstrap(ptr)) {
    void *moved = malloc(size);
    if (moved != NULL)
    {
      size_t room = (size_t)(bootstrap + sizeof bootstrap - (char *)ptr);
      memcpy(moved, ptr, size < room ? size : room);
    }
    return moved;
  }
  if (real_realloc == NULL)
    resolve();
  size_t before = ptr == NULL ? 0 : malloc_usable_size(ptr);
  void *moved = real_realloc(ptr, size);
  /* realloc(ptr, 0) frees ptr and returns NULL; a failed realloc leaves ptr as it was. */
  if (moved == NULL) {
    if (size == 0 && ptr != NULL)
      shrank(before);
    return NULL;
  }
  size_t after = malloc_usable_size(moved);
  if (moved == ptr) {
    /* Resized in place: only the difference ever existed. */
    if (after >= before)
      grew(after - before);
    else
      shrank(before - after);
  }
  else {
    /* Moved: the old block is freed after the copy, so both were live at once. */
    grew(after);
    shrank(before);
  }
  return moved;
}

EXPORT void *reallocarray(void *ptr, size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(ptr, bytes);
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
  if (real_posix_memalign == NULL)
    resolve();
  int failed = real_posix_memalign(out, alignment, size);
  if (!failed)
    counted(*out);
  return failed;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size) {
  if (real_aligned_alloc == NULL)
    resolve();
  return counted(real_aligned_alloc(alignment, size));
}

EXPORT void *memalign(size_t alignment, size_t size) {
  if (real_memalign == NULL)
    resolve();
  return counted(real_memalign(alignment, size));
}

EXPORT void *valloc(size_t size) {
  if (real_valloc == NULL)
    resolve();
  return counted(real_valloc(size));
}

EXPORT void *pvalloc(size_t size) {
  if (real_pvalloc == NULL)
    resolve();
  return counted(real_pvalloc(size));
}

/* ---- scope: the measured worker only ------------------------------------------------------------ */

extern char **environ;

/*
 * Names the library's own path in LD_PRELOAD (the plugin sets both); its entry is cut from this
 * process's LD_PRELOAD at load, so the children a test spawns start without it. The library stays
 * loaded here.
 */
#define PATH_VARIABLE "VITEST_MEMORY_BUDGET_NATIVE="

static void drop_from_preload(void) {
  const char *own = NULL;
  char *preload = NULL;
  for (char **entry = environ; entry != NULL && *entry != NULL; entry++) {
    if (strncmp(*entry, PATH_VARIABLE, sizeof PATH_VARIABLE - 1) == 0)
      own = *entry + sizeof PATH_VARIABLE - 1;
    else if (strncmp(*entry, "LD_PRELOAD=", 11) == 0)
      preload = *entry + 11;
  }
  if (own == NULL || *own == '\0' || preload == NULL)
    return;
  size_t length = strlen(own);
  /* Entries are separated by spaces or colons; the string is edited in place (no allocation). */
  char *at = preload;
  while ((at = strstr(at, own)) != NULL) {
    int starts = at == preload || at[-1] == ' ' || at[-1] == ':';
    char after = at[length];
    if (!starts || (after != '\0' && after != ' ' && after != ':')) {
      at += 1;
      continue;
    }
    char *rest = at + length + (after == '\0' ? 0 : 1);
    memmove(at, rest, strlen(rest) + 1);
  }
}

__attribute__((constructor)) static void start(void) {
  resolve();
  drop_from_preload();
}

/* ---- the Node-API module ------------------------------------------------------------------------ */

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
typedef void (*napi_finalize)(napi_env, void *, void *);

extern napi_status napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *) __attribute__((weak));
extern napi_status napi_set_named_property(napi_env, napi_value, const char *, napi_value) __attribute__((weak));
extern napi_status napi_create_external_arraybuffer(napi_env, void *, size_t, napi_finalize, void *, napi_value *) __attribute__((weak));
extern napi_status napi_get_boolean(napi_env, int, napi_value *) __attribute__((weak));

/*
 * What reset() leaves for JavaScript, read through an ArrayBuffer over this array (no call, no
 * allocation): the ended segment's lowest, highest and highest rise, and the live count at the reset.
 */
static double snapshot[4];

/* Ends the current segment: writes it to the snapshot and starts the next at the live count. */
static napi_value reset(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  int64_t now = __atomic_load_n(&live, __ATOMIC_RELAXED);
  snapshot[0] = (double)__atomic_exchange_n(&seg_min, now, __ATOMIC_RELAXED);
  snapshot[1] = (double)__atomic_exchange_n(&seg_max, now, __ATOMIC_RELAXED);
  snapshot[2] = (double)__atomic_exchange_n(&seg_rise, 0, __ATOMIC_RELAXED);
  snapshot[3] = (double)now;
  return NULL;
}

/*
 * Whether this object's malloc is the one the process calls: false when the file was loaded without
 * LD_PRELOAD (then every counter stays 0, which must not read as "nothing allocated").
 */
static int interposing(void) {
  /*
   * Only this object's own functions move the counters, and Node has allocated megabytes before it
   * loads any module, so a count of exactly 0 means no call came here. (Comparing the process's
   * malloc with this one does not work: a non-PIE node's PLT entry is malloc's canonical address.)
   */
  return __atomic_load_n(&live, __ATOMIC_RELAXED) != 0 || __atomic_load_n(&seg_max, __ATOMIC_RELAXED) != 0;
}

EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value value;
  if (napi_create_function(env, "reset", 5, reset, NULL, &value) != 0 || napi_set_named_property(env, exports, "reset", value) != 0)
    return NULL;
  if (napi_create_external_arraybuffer(env, snapshot, sizeof snapshot, NULL, NULL, &value) != 0 || napi_set_named_property(env, exports, "snapshot", value) != 0)
    return NULL;
  if (napi_get_boolean(env, interposing(), &value) != 0 || napi_set_named_property(env, exports, "interposing", value) != 0)
    return NULL;
  return exports;
}
