import SquireEval

/// A stopword guess at a text's language: English against the languages a generator asked
/// for English most often slips into (Spanish, French, German, Italian, Portuguese).
///
/// Each list holds frequent function words of its language that are neither English words
/// nor common chat shorthand (so "a", "in", "me", "no", "die", "on", "as", "come", "do", "da",
/// "e", "il" are in none). A text counts as another language
/// when at least two of its words are that language's and they outnumber its English ones;
/// texts with no function words at all (keyword queries, SMS shorthand) cannot be told and
/// pass. It catches a generator that answered in the wrong language, not code-switching.
enum StopwordLanguageGuess {
    static let english: Set<String> = [
        "the", "and", "to", "of", "is", "it", "that", "for", "you", "my", "with", "this", "be", "are", "have", "had",
        "was",
        "not", "but", "at", "from", "they", "we", "your", "can", "would", "should", "could", "do", "does", "did",
        "dont",
        "cant", "ive", "im", "its", "what", "how", "why", "when", "where", "who", "which", "there", "their", "been",
        "if",
        "just", "any", "some", "all", "about", "into", "out", "up", "get", "got", "need", "want", "please", "help", "i",
        "thanks", "thank", "yet", "still", "again", "after", "before", "our", "she", "her", "him", "his", "them",
        "will",
        "than", "then", "very", "too", "here", "more", "one", "new", "now", "only", "by", "like", "know", "has", "an",
    ]

    static let others: [(name: String, words: Set<String>)] = [
        (
            "Spanish",
            [
                "el", "los", "las", "que", "de", "del", "por", "para", "con", "una", "un", "es", "mi", "su", "pero",
                "como", "esta", "este", "quiero", "puedo", "tengo", "donde", "cuando", "muy", "lo", "hay", "usted",
            ]
        ),
        (
            "French",
            [
                "le", "les", "des", "du", "et", "est", "je", "ne", "pas", "une", "pour", "avec", "mon", "ma", "mes",
                "vous", "nous", "il", "elle", "ce", "cette", "sur", "dans", "qui", "au", "aux", "suis", "voudrais",
                "comment",
            ]
        ),
        (
            "German",
            [
                "der", "das", "und", "ist", "ich", "nicht", "ein", "eine", "mit", "auf", "fur", "mein", "meine", "sie",
                "es", "zu", "von", "den", "dem", "wie", "wo", "habe", "kann", "bitte", "auch", "noch", "wurde", "einen",
            ]
        ),
        (
            "Italian",
            [
                "che", "di", "della", "per", "con", "una", "sono", "mio", "mia", "non", "dove", "vorrei", "questo",
                "questa", "gli", "del", "perche", "ancora", "anche",
            ]
        ),
        (
            "Portuguese",
            [
                "os", "que", "de", "para", "com", "uma", "um", "nao", "meu", "minha", "por", "como", "esta", "onde",
                "quero", "tenho", "mais", "voce", "obrigado",
            ]
        ),
    ]

    /// The other language the text looks written in, with the words that say so; nil when
    /// it looks English or cannot be told.
    static func otherLanguage(of text: String) -> (name: String, words: [String])? {
        let words = text.normalizedForComparison.split(separator: " ").map(String.init)
        let englishHits = words.filter { english.contains($0) }.count
        var best: (name: String, words: [String])?
        for language in others {
            let hits = words.filter { language.words.contains($0) }
            if hits.count >= 2, hits.count > englishHits, hits.count > (best?.words.count ?? 0) {
                best = (language.name, hits)
            }
        }
        return best
    }
}
