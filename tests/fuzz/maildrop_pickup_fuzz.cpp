// Maildrop files as pickup(8) reads them (Postfix's pickup/pickup.c pickup_copy): any
// bytes a local user could leave in maildrop/ (postdrop checks what it writes, but the
// directory is writable to the setgid group) are read record by record and copied to a
// sink that stands for cleanup. Checked: what reaches cleanup has one message record
// before the extracted segment's, the end is left to the finish (the client sends it),
// nothing follows the finish, and only a whole copy is finished.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_support.h"
#include "pickup_core.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/record_type.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    pickup::PickupEnvironment env;
    env.myhostname = "mx.example.org";
    env.info = [](std::string_view) {};
    env.warn = [](std::string_view) {};
    env.now = [] { return static_cast<time_t>(1700000000); };
    bool message = false;
    bool extracted = false;
    bool finished = false;
    pickup::PickupSink sink;
    sink.record = [&](int type, std::string_view) {
        if (finished || type == queue::rec::kEnd) std::abort();
        if (type == queue::rec::kMesg) {
            if (message) std::abort();
            message = true;
        }
        if (type == queue::rec::kXtra) {
            if (!message || extracted) std::abort();
            extracted = true;
        }
    };
    sink.finish = [&](std::string& reason) {
        if (!extracted || finished) std::abort();
        finished = true;
        reason.clear();
        return 0;
    };
    auto in = queue::InputStream::fromBytes(std::string(fuzz::asText(data, size)), "maildrop/FUZZ");
    struct stat st {};
    st.st_mode = S_IFREG | 0700;
    st.st_uid = 1000;
    st.st_size = static_cast<off_t>(size);
    st.st_mtime = 1700000000;
    (void)pickup::pickupCopy(env, in, st, "maildrop/FUZZ", "FUZZ", sink);
    return 0;
}
