// smtpd's anvil(8) client (anvil_events.h).
#include "anvil_events.h"

#include "postline/base/msg.h"

namespace postline::smtpd {

namespace {

template <typename T>
std::optional<T> logged(base::Result<T> result) {
    if (result) return *result;
    base::msgWarn(result.error().message);
    return std::nullopt;
}

}  // namespace

std::optional<AnvilEvents::Connection> AnvilEvents::connect(std::string_view service, std::string_view address) {
    auto counts = client_.connect(service, address);
    if (!counts) {
        base::msgWarn(counts.error().message);
        return std::nullopt;
    }
    return Connection{counts->count, counts->rate};
}

void AnvilEvents::disconnect(std::string_view service, std::string_view address) {
    if (auto st = client_.disconnect(service, address); !st) base::msgWarn(st.error().message);
}

std::optional<int> AnvilEvents::message(std::string_view service, std::string_view address) {
    return logged(client_.message(service, address));
}

std::optional<int> AnvilEvents::recipient(std::string_view service, std::string_view address) {
    return logged(client_.recipient(service, address));
}

}  // namespace postline::smtpd
