// Batched datagram I/O for RelayCore's STUN server: `recvmmsg`/`sendmmsg` and `eventfd` are GNU
// extensions that Swift's Glibc module does not import, so these wrappers build the `mmsghdr`
// arrays on the C stack and hand Swift plain arrays. Nothing here allocates.
#ifndef C_RELAY_SYSTEM_H
#define C_RELAY_SYSTEM_H

#include <stddef.h>
#include <sys/socket.h>

/// The most datagrams one call moves; larger counts are clamped.
#define RELAY_DATAGRAM_BATCH_MAX 64

/// Receives up to `count` datagrams without blocking. Datagram `i` goes to
/// `buffer + i * slot_size`, its source to `sources[i]` and its length to `lengths[i]`; a datagram
/// longer than `slot_size` is reported with length 0. Returns the number received, or `-errno`
/// (`-EAGAIN` when nothing is waiting).
int relay_receive_datagrams(int fd, unsigned char *buffer, size_t slot_size, unsigned count,
                            struct sockaddr_storage *sources, unsigned *lengths);

/// Sends `count` datagrams without blocking: datagram `i` is `lengths[i]` bytes at
/// `base + offsets[i]`, to `destinations[i]` (IPv4 or IPv6). Returns how many were sent (fewer than
/// `count` when the send buffer filled or datagram `returned` failed), or `-errno` for the first.
int relay_send_datagrams(int fd, const unsigned char *base, const unsigned *offsets, const unsigned *lengths,
                         const struct sockaddr_storage *destinations, unsigned count);

/// A non-blocking, close-on-exec eventfd, or `-errno`.
int relay_eventfd(void);

/// Adds one to an eventfd's counter (wakes a `poll` on it). Returns 0 or `-errno`.
int relay_eventfd_signal(int fd);

/// Names the calling thread (up to 15 characters), as `top -H` and `perf` show it.
void relay_set_thread_name(const char *name);

#endif
