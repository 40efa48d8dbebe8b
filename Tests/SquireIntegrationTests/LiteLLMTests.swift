import Testing

/// Every test against the LiteLLM proxy, in one suite so the proxy starts once (about 8 s)
/// and its tests, which count the upstream's requests, run one at a time.
@Suite(
    .serialized, .enabled(if: LiteLLMProxy.isInstalled, Comment(rawValue: LiteLLMProxy.notInstalled)),
    .liteLLMProxy)
struct LiteLLMTests {}
