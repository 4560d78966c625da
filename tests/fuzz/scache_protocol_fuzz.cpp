// scache(8)'s request protocol (mta/scache's ClientSession and ConnectionCache, Postfix's
// scache/scache.c) fed arbitrary client bytes: the input is cut into reads, some of
// which come with a descriptor (as recvmsg() delivers one), and the clock moves on
// between reads so that cached connections expire. Nothing may crash, and when the
// session and the cache are gone every descriptor the client passed in must be closed:
// a descriptor kept or lost by mistake shows as an open file afterwards.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "scache_core.h"

namespace {

using namespace postline;

int openDescriptors() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d)) ++n;
        ::closedir(d);
    }
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    int before = openDescriptors();
    {
        time_t now = 1000000;
        scache::CacheService service(2, now);
        scache::ClientSession session(service);
        std::vector<scache::Outgoing> out;
        // Each read: a control byte (bits 0-5: length, bit 6: a descriptor comes with
        // it, bit 7: a second passes first), then that many bytes.
        size_t pos = 0;
        while (pos < size) {
            uint8_t control = data[pos++];
            size_t length = std::min<size_t>(control & 0x3f, size - pos);
            std::string bytes(reinterpret_cast<const char*>(data) + pos, length);
            pos += length;
            if (control & 0x80) ++now;
            scache::OwnedFd fd;
            if (control & 0x40) {
                fd = scache::OwnedFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
                bytes.push_back('\0');  // the byte that carries it
            }
            service.cache().expire(now);
            bool keep = session.receive(bytes, std::move(fd), now, out);
            out.clear();  // the descriptors handed out are closed here, as after sendmsg()
            if (!keep) break;
        }
        (void)service.report(now);
    }
    if (openDescriptors() != before) std::abort();
    return 0;
}
