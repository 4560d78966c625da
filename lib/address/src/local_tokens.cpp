// local(8)'s item kinds and delivery classes (local/token.c deliver_token and
// deliver_token_stream, local.c's allow_mail_to_* masks).
#include "postline/address/local_tokens.h"

#include <sys/stat.h>

#include "postline/address/tokens.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"

namespace postline::address {

const char* expansionClassName(ExpansionClass cls) {
    switch (cls) {
        case ExpansionClass::Alias:
            return "alias";
        case ExpansionClass::Include:
            return "include";
        case ExpansionClass::Forward:
            return "forward";
    }
    return "alias";
}

bool expansionAllowed(const config::Config& config, std::string_view parameter, ExpansionClass cls) {
    std::string_view want = expansionClassName(cls);
    std::string value = config.get(parameter);
    for (auto word : base::splitAny(value, ", \t\r\n"))
        if (!word.empty() && base::lowercase(word) == want) return true;
    return false;
}

std::vector<std::string> listItems(std::string_view value) {
    std::vector<std::string> out;
    for (const Token& token : parseAddressList(value))
        if (token.type == TokenType::Address) out.push_back(internalize(token.children));
    return out;
}

LocalToken classifyToken(const std::string& item) {
    constexpr std::string_view kInclude = ":include:";
    if (!item.empty() && item[0] == '/') return {LocalToken::Kind::File, item};
    if (!item.empty() && item[0] == '|') return {LocalToken::Kind::Command, item.substr(1)};
    if (item.size() >= kInclude.size() &&
        base::lowercase(std::string_view(item).substr(0, kInclude.size())) == kInclude)
        return {LocalToken::Kind::Include, item.substr(kInclude.size())};
    return {LocalToken::Kind::Address, item};
}

std::vector<IncludeLine> tokenStreamLines(std::string_view content) {
    std::vector<IncludeLine> out;
    for (int number = 1; !content.empty(); ++number) {
        size_t end = content.find('\n');
        std::string_view line = content.substr(0, end);
        content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
        if (!line.empty() && line[0] != '#') out.push_back({number, std::string(line)});
    }
    return out;
}

base::Result<std::vector<IncludeLine>> readIncludeFile(const std::string& path) {
    if (!path.starts_with("/")) return base::Error{base::cat(":include:", path, " uses a relative path")};
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return base::errnoError(base::cat("unable to lookup :include: file ", path));
    if (!S_ISREG(st.st_mode)) return base::Error{base::cat(":include: file ", path, " is not a regular file")};
    if (st.st_mode & S_IWOTH) return base::Error{base::cat(":include: file ", path, " is world writable")};
    auto content = base::readFile(path);
    if (!content) return base::errnoError(base::cat("cannot open include file ", path), content.error().errnum);
    return tokenStreamLines(*content);
}

}  // namespace postline::address
