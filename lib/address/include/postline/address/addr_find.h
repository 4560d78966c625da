// Address-keyed table lookups with Postfix's key order (global/mail_addr_find.c):
// user+ext@domain, user@domain, user+ext and user (local domains only), @domain,
// domain and its parents, user+ext@ and user@ — as the strategy selects. Partial keys
// are only asked of fixed-string tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "postline/address/step.h"
#include "postline/maps/map_list.h"

namespace postline::address {

class RoutingContext;

namespace strategy {
inline constexpr uint32_t kFull = 1u << 0;                // MA_FIND_FULL
inline constexpr uint32_t kNoExt = 1u << 1;               // MA_FIND_NOEXT
inline constexpr uint32_t kLocalpartIfLocal = 1u << 2;    // MA_FIND_LOCALPART_IF_LOCAL
inline constexpr uint32_t kLocalpartAtIfLocal = 1u << 3;  // MA_FIND_LOCALPART_AT_IF_LOCAL
inline constexpr uint32_t kAtDomain = 1u << 4;            // MA_FIND_AT_DOMAIN
inline constexpr uint32_t kDomain = 1u << 5;              // MA_FIND_DOMAIN
inline constexpr uint32_t kPdms = 1u << 6;                // MA_FIND_PDMS: parents as "parent"
inline constexpr uint32_t kPddmds = 1u << 7;              // MA_FIND_PDDMDS: parents as ".parent"
inline constexpr uint32_t kLocalpartAt = 1u << 8;         // MA_FIND_LOCALPART_AT
// MA_FIND_DEFAULT: canonical, virtual, relocated, bcc and sender-dependent tables.
inline constexpr uint32_t kDefault = kFull | kNoExt | kLocalpartIfLocal | kAtDomain;
}  // namespace strategy

// How keys are sent to the tables (MA_FORM_*).
enum class QueryForm { External, ExternalFirst, Internal, InternalFirst };

struct AddrFindOptions {
    uint32_t strategy = strategy::kDefault;
    QueryForm query = QueryForm::ExternalFirst;  // mail_addr_find's "legacy" form
    bool internalResult = false;                 // convert the result to internal form
};

struct AddrFindResult {
    maps::DictStatus status = maps::DictStatus::NotFound;
    std::string value;
    std::string extension;  // set when the match was on a key without the extension
    Step step;              // table, key and result of this search

    bool isFound() const { return status == maps::DictStatus::Found; }
    bool isError() const { return status == maps::DictStatus::Retry || status == maps::DictStatus::ConfigError; }
};

// Searches `tables` for the internal-form `address`. `stage` names the step (usually
// the parameter). Uses recipient_delimiter, myorigin and resolve_local from `context`.
AddrFindResult findAddress(RoutingContext& context, maps::MapList& tables, std::string_view address,
                           const AddrFindOptions& options = {}, std::string_view stage = {});

}  // namespace postline::address
