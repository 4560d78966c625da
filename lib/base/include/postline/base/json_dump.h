// dumpJson(): serialises a nlohmann/json document (json or ordered_json) under
// json_quote.h's rule for bytes that are not UTF-8, instead of letting the library throw
// type_error 316 and abort the program. A template, so that lib/base needs no JSON library.
#pragma once

#include <string>
#include <utility>

#include "postline/base/json_quote.h"

namespace postline::base {

// Applies utf8OrLatin1() to every string and object key of `value`, recursively.
// Two keys that become equal keep the later value.
template <typename Json>
void makeJsonUtf8(Json& value) {
    if (value.is_string()) {
        auto& text = value.template get_ref<typename Json::string_t&>();
        if (!isValidUtf8(text)) text = utf8OrLatin1(text);
        return;
    }
    if (value.is_array()) {
        for (auto& element : value) makeJsonUtf8(element);
        return;
    }
    if (!value.is_object()) return;
    bool keysValid = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
        keysValid = keysValid && isValidUtf8(it.key());
        makeJsonUtf8(it.value());
    }
    if (keysValid) return;
    Json rebuilt = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) rebuilt[utf8OrLatin1(it.key())] = std::move(it.value());
    value = std::move(rebuilt);
}

// doc.dump(indent), never throwing on bad bytes: the common, valid document is dumped
// once; one that holds a stray byte is copied, repaired with makeJsonUtf8() and dumped.
template <typename Json>
std::string dumpJson(const Json& doc, int indent = -1) {
    try {
        return doc.dump(indent);
    } catch (const typename Json::type_error&) {
        // 316, invalid UTF-8: the only error dump() raises.
    }
    Json repaired = doc;
    makeJsonUtf8(repaired);
    return repaired.dump(indent);
}

}  // namespace postline::base
