// UDP generic segmentation offload for stunbench's sends: many equal-size requests to one server
// leave in one sendmsg, so that on loopback the generator spends less per request than any server
// it measures and the server is the side that saturates.
#ifndef C_BENCH_UDP_H
#define C_BENCH_UDP_H

#include <stddef.h>
#include <sys/socket.h>

/// Sends `length` bytes as datagrams of `segment_size` bytes each (the last may be shorter) to
/// `destination`, with one `sendmsg` and `UDP_SEGMENT`. Returns the bytes sent or `-errno`
/// (`-EIO` or `-EINVAL` where the kernel or route cannot segment).
long bench_send_segmented(int fd, const void *buffer, size_t length, unsigned short segment_size,
                          const struct sockaddr_storage *destination);

#endif
