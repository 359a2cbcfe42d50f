#include "CAllocationCounter.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

// glibc's own allocator, which every definition below forwards to. They are exported from
// libc.so.6 (version GLIBC_2.2.5) for exactly this use: replacing malloc without dlsym, which
// itself allocates.
extern void *__libc_malloc(size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

// Relaxed atomics: only totals matter, and they are read on the counting thread after the work.
static atomic_size_t allocations;
static atomic_size_t frees;

// Whether this thread is the one being measured. initial-exec: reading it must never allocate
// (a dynamic TLS access may call malloc, which would recurse into this file).
static _Thread_local bool counting __attribute__((tls_model("initial-exec")));

static inline void count_allocation(const void *result) {
    if (counting && result != NULL) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

static inline void count_free(const void *pointer) {
    if (counting && pointer != NULL) {
        atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    }
}

void allocation_counter_start(void) {
    atomic_store_explicit(&allocations, 0, memory_order_relaxed);
    atomic_store_explicit(&frees, 0, memory_order_relaxed);
    counting = true;
}

void allocation_counter_stop(void) {
    counting = false;
}

size_t allocation_counter_allocations(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

size_t allocation_counter_frees(void) {
    return atomic_load_explicit(&frees, memory_order_relaxed);
}

// MARK: - The interposed functions

void *malloc(size_t size) {
    void *result = __libc_malloc(size);
    count_allocation(result);
    return result;
}

void free(void *pointer) {
    count_free(pointer);
    __libc_free(pointer);
}

void *calloc(size_t count, size_t size) {
    void *result = __libc_calloc(count, size);
    count_allocation(result);
    return result;
}

// glibc: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL.
void *realloc(void *pointer, size_t size) {
    void *result = __libc_realloc(pointer, size);
    if (pointer != NULL && (result != NULL || size == 0)) {
        count_free(pointer);
    }
    count_allocation(result);
    return result;
}

static bool is_valid_alignment(size_t alignment) {
    return alignment != 0 && (alignment & (alignment - 1)) == 0;
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    // POSIX: a power of two that is a multiple of sizeof(void *).
    if (!is_valid_alignment(alignment) || alignment % sizeof(void *) != 0) {
        return EINVAL;
    }
    void *block = __libc_memalign(alignment, size);
    if (block == NULL) {
        return ENOMEM;
    }
    count_allocation(block);
    *result = block;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (!is_valid_alignment(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    void *result = __libc_memalign(alignment, size);
    count_allocation(result);
    return result;
}

void *memalign(size_t alignment, size_t size) {
    void *result = __libc_memalign(alignment, size);
    count_allocation(result);
    return result;
}

void *valloc(size_t size) {
    void *result = __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
    count_allocation(result);
    return result;
}

// pvalloc rounds the size up to whole pages.
void *pvalloc(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    size_t rounded = size == 0 ? page : (size + page - 1) / page * page;
    void *result = __libc_memalign(page, rounded);
    count_allocation(result);
    return result;
}
