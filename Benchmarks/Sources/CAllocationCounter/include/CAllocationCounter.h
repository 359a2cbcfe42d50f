#ifndef C_ALLOCATION_COUNTER_H
#define C_ALLOCATION_COUNTER_H

#include <stddef.h>

// Counts heap allocations made by one thread (issue 7: CI gates on allocation counts, never on time).
//
// Linking this target into an executable defines malloc, free, calloc, realloc and the aligned
// variants in the executable itself, so they interpose glibc's for every library of the process
// (Swift runtime, NIO, Foundation) and forward to glibc's __libc_* entry points. The idea is the
// one of swift-nio's IntegrationTests/allocation-counter-tests-framework.
//
// Only the thread that called allocation_counter_start() is counted: tests in other suites, and
// the test runner's own threads, allocate at the same time and must not move the figures.

// Zeroes the counters and counts the calling thread's allocations from now on (only that thread's).
void allocation_counter_start(void);

// Stops counting; the counters keep their values.
void allocation_counter_stop(void);

// Blocks obtained since the last start: malloc, calloc, the aligned variants, and every realloc
// that returned a block (a realloc may move, so it counts as one allocation and, when it had a
// block to give back, one free).
size_t allocation_counter_allocations(void);

// Blocks given back since the last start: free of a non-null pointer, realloc as above.
size_t allocation_counter_frees(void);

#endif
