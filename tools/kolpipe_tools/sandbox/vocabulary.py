"""The words of the simulated world: names and sponsor tags per language, handles, captions
no brand wants, and the comments genuine fans, pods and comment farms write."""

from __future__ import annotations

# Name syllables and sponsored-post tags per language.
LANGUAGES = {
    "en": (["ma", "ri", "jo", "an", "el", "li", "sa", "ke", "ton", "ber"], ["#ad", "#sponsored"]),
    "zh": (["小", "美", "明", "华", "丽", "龙", "晨", "雪", "云", "杰"], ["广告", "合作"]),
    "bn": (["রা", "হু", "ল", "আ", "মি", "তা", "সু", "দী", "প", "না"], ["#বিজ্ঞাপন", "#sponsored"]),
    "lv": (["ā", "ja", "nis", "lī", "ga", "rū", "ta", "kš", "ie", "vis"],
           ["#reklāma", "#sadarbība"]),
    "es": (["lu", "ci", "a", "mar", "co", "so", "fi", "pe", "dro", "na"], ["#publi", "#ad"]),
    "de": (["han", "na", "kla", "us", "gre", "ta", "jo", "nas", "lie", "se"],
           ["#kooperation", "#werbung"]),
}
GENERIC_WORDS = ("daily", "notes", "lab", "life", "world", "talks", "studio", "club")

# Comments that say nothing about the post: what pods, bots and bought engagement leave behind,
# and what some genuine fans write too.
GENERIC_COMMENTS = ("nice pic", "love it", "amazing", "so cool", "wow", "great post", "🔥🔥🔥",
                    "😍😍", "👏👏👏", "❤️", "💯", "nice", "awesome!!", "beautiful", "🙌")
POD_COMMENTS = ("Amazing content as always 🙌", "Love this so much!! 💕", "Yes!! Obsessed 😍",
                "This is everything 🔥", "Saving this one ✨")
# What comment farms post besides the generic lines: the same few lines on every post.
BOT_COMMENTS = ("Great content! Check my page 🔥", "DM us for a collab 💌", "Follow for follow 💯",
                "Nice! Visit my profile 😍", "Wow amazing 👏👏")
# The parts of a genuine comment: opener, subject, aside, closer.
OPENERS = ("Where did you get", "How long did you spend on", "Could you share more about",
           "I tried", "Never thought about", "My sister loves", "Honest question about",
           "Thanks for explaining", "Still waiting for part two of", "Disagree a bit on")
SUBJECTS = ("the {niche} setup", "this {niche} routine", "the second tip", "the ending",
            "the lighting", "your {niche} budget", "the product you showed", "the last part",
            "that {niche} trick", "the list at the end")
CLOSERS = ("?", "!", " - saved.", ", really useful.", " 🤔", ", going to try it this week.",
           " :)", ". Subscribed.")
ASIDES = ("", "", " after watching twice", " from yesterday", " you mentioned", " in this one",
          " at 2:10", " with my kids", " on a budget", " for beginners", " again",
          " in winter")
# Captions no brand wants next to its name.
UNSAFE_PHRASES = ("bet it all at the casino tonight 🎰", "wasted again lol 🍻🍻",
                  "this guy deserves a punch", "free pills link in bio",
                  "fight me if you disagree, losers")
