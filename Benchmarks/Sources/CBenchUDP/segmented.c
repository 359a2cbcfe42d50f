#include "CBenchUDP.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

long bench_send_segmented(int fd, const void *buffer, size_t length, unsigned short segment_size,
                          const struct sockaddr_storage *destination) {
    struct iovec vector = {.iov_base = (void *)(uintptr_t)buffer, .iov_len = length};
    union {
        char bytes[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = {
        .msg_name = (void *)(uintptr_t)destination,
        .msg_namelen = destination->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
        .msg_iov = &vector,
        .msg_iovlen = 1,
        .msg_control = control.bytes,
        .msg_controllen = sizeof(control.bytes),
    };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t size = segment_size;
    memcpy(CMSG_DATA(header), &size, sizeof(size));
    ssize_t sent = sendmsg(fd, &message, MSG_DONTWAIT);
    return sent < 0 ? -errno : (long)sent;
}
