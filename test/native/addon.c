/*
 * A Node-API addon for the tests: allocates exactly what it is asked for with malloc, as native code
 * does. Node-API's functions are declared here (the ABI is stable), so building it needs no headers.
 *   spike(bytes): mallocs, writes and frees `bytes` in one synchronous call;
 *   hold(bytes): mallocs `bytes` and keeps them; release(): frees what hold() kept.
 */
#include <stdlib.h>
#include <string.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);

extern int napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
extern int napi_set_named_property(napi_env, napi_value, const char *, napi_value);
extern int napi_get_cb_info(napi_env, napi_callback_info, size_t *, napi_value *, napi_value *, void **);
extern int napi_get_value_double(napi_env, napi_value, double *);

static void *held[64];
static int held_count;

static size_t bytes_argument(napi_env env, napi_callback_info info) {
  size_t count = 1;
  napi_value argument;
  double bytes = 0;
  napi_get_cb_info(env, info, &count, &argument, NULL, NULL);
  napi_get_value_double(env, argument, &bytes);
  return (size_t)bytes;
}

static napi_value spike(napi_env env, napi_callback_info info) {
  size_t bytes = bytes_argument(env, info);
  char *block = malloc(bytes);
  if (block != NULL) {
    memset(block, 1, bytes);
    free(block);
  }
  return NULL;
}

static napi_value hold(napi_env env, napi_callback_info info) {
  size_t bytes = bytes_argument(env, info);
  if (held_count < 64)
    held[held_count++] = malloc(bytes);
  return NULL;
}

static napi_value release(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  while (held_count > 0)
    free(held[--held_count]);
  return NULL;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  const char *names[] = { "spike", "hold", "release" };
  napi_callback functions[] = { spike, hold, release };
  for (int i = 0; i < 3; i++) {
    napi_value function;
    napi_create_function(env, names[i], strlen(names[i]), functions[i], NULL, &function);
    napi_set_named_property(env, exports, names[i], function);
  }
  return exports;
}
