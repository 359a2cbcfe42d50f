#define _GNU_SOURCE
#include "CRelaySystem.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int relay_receive_datagrams(int fd, unsigned char *buffer, size_t slot_size, unsigned count,
                            struct sockaddr_storage *sources, unsigned *lengths) {
    struct mmsghdr messages[RELAY_DATAGRAM_BATCH_MAX];
    struct iovec vectors[RELAY_DATAGRAM_BATCH_MAX];
    if (count > RELAY_DATAGRAM_BATCH_MAX) count = RELAY_DATAGRAM_BATCH_MAX;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = buffer + (size_t)i * slot_size;
        vectors[i].iov_len = slot_size;
        messages[i].msg_hdr.msg_name = &sources[i];
        messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    if (received < 0) return -errno;
    for (int i = 0; i < received; i++) {
        lengths[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : messages[i].msg_len;
    }
    return received;
}

int relay_send_datagrams(int fd, const unsigned char *base, const unsigned *offsets, const unsigned *lengths,
                         const struct sockaddr_storage *destinations, unsigned count) {
    struct mmsghdr messages[RELAY_DATAGRAM_BATCH_MAX];
    struct iovec vectors[RELAY_DATAGRAM_BATCH_MAX];
    if (count > RELAY_DATAGRAM_BATCH_MAX) count = RELAY_DATAGRAM_BATCH_MAX;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = (void *)(uintptr_t)(base + offsets[i]);
        vectors[i].iov_len = lengths[i];
        messages[i].msg_hdr.msg_name = (void *)(uintptr_t)&destinations[i];
        messages[i].msg_hdr.msg_namelen = destinations[i].ss_family == AF_INET6
            ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(fd, messages, count, MSG_DONTWAIT);
    return sent < 0 ? -errno : sent;
}

int relay_eventfd(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int relay_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof(one)) < 0 ? -errno : 0;
}

void relay_set_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof(short_name) - 1);
    short_name[sizeof(short_name) - 1] = 0;
    pthread_setname_np(pthread_self(), short_name);
}
