// SHA-256 (FIPS 180-4) of files and strings, as lowercase hex: the fingerprints that the
// manifest records for every input, and that decide whether a table can be reused.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::artifact {

class Sha256 {
public:
    Sha256();
    void update(std::string_view data);
    // The digest as 64 lowercase hex digits; the object must not be updated afterwards.
    std::string hexDigest();

private:
    void block(const unsigned char* p);
    std::array<uint32_t, 8> h_;
    unsigned char buffer_[64];
    size_t buffered_ = 0;
    uint64_t length_ = 0;
};

std::string sha256Hex(std::string_view data);
// The digest of a file read in pieces. Error: "open PATH: ERRNO" / "read PATH: ERRNO".
base::Result<std::string> sha256File(const std::string& path);

}  // namespace postline::artifact
