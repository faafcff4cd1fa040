"""Content of the bilingual demo event "UK–Japan Bridge CTF" (日英ブリッジCTF), as plain data.

Nothing here touches the database: a loader turns these frozen dataclasses into events, challenges, flags,
hints, announcements and teams. Every per-language text is a ``Mapping[str, str]`` with the keys ``"en"`` and
``"ja"``; descriptions, hints and announcement bodies are Markdown. Codes (flag kinds, value functions,
countries, languages) are the values of the matching choices in :mod:`kakehashi.ctf.choices` and
:mod:`kakehashi.accounts.choices`, spelled out so that this module needs no Django.

The demo users ``alice``, ``owen``, ``hana`` and ``yuki`` come from :mod:`kakehashi.site.demo`;
:data:`EXTRA_PARTICIPANTS` adds the other players of the demo teams. Run :func:`validate` after editing: it
returns a list of problems, empty when the content is consistent. It checks patterns and sample answers with
:mod:`kakehashi.ctf.flags`, the same RE2 full-match rules that judge submissions.
"""

import base64
import binascii
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from kakehashi.ctf import flags as flag_rules
from kakehashi.ctf.brackets import country_bracket

LANGUAGES = ("en", "ja")

FlagKindCode = Literal["static", "regex", "generated"]
ValueFunctionCode = Literal["static", "linear", "logarithmic"]
CountryCode = Literal["GB", "JP"]
LanguageCode = Literal["en", "ja"]


def _texts(en: str, ja: str) -> Mapping[str, str]:
    """A read-only per-language text."""
    return MappingProxyType({"en": en, "ja": ja})


def _same(text: str) -> Mapping[str, str]:
    """A text that reads the same in both languages (a host and port, a URL)."""
    return _texts(text, text)


@dataclass(frozen=True, kw_only=True)
class EventSpec:
    slug: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    languages: tuple[str, ...] = LANGUAGES
    team_size_limit: int | None = None
    generated_flag_format: str = "bridge{%s}"
    """How the platform wraps the per-team part of a ``generated`` flag; ``%s`` marks where it goes."""


@dataclass(frozen=True, kw_only=True)
class BracketSpec:
    slug: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]


@dataclass(frozen=True)
class FlagSpec:
    """An accepted answer. ``regex`` patterns are RE2 syntax and must match the whole submission;
    ``generated`` flags have no content: the platform derives one per team from the event's secret."""

    kind: FlagKindCode
    content: str
    case_insensitive: bool = False


@dataclass(frozen=True)
class HintSpec:
    cost: int
    contents: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class ChallengeSpec:
    """One challenge. ``value`` is the fixed value of a ``static`` challenge, or the initial value of a decaying
    one, which then also needs ``minimum`` and ``decay`` (as in CTFd). ``prerequisites`` are keys of challenges
    that must be solved first; ``max_attempts`` 0 means unlimited."""

    key: str
    category: str
    difficulty: int
    author: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    connection_info: Mapping[str, str] | None = None
    tags: tuple[str, ...]
    value: int
    function: ValueFunctionCode = "static"
    minimum: int | None = None
    decay: int | None = None
    flags: tuple[FlagSpec, ...]
    hints: tuple[HintSpec, ...] = ()
    prerequisites: tuple[str, ...] = ()
    max_attempts: int = 0


@dataclass(frozen=True, kw_only=True)
class AnnouncementSpec:
    key: str
    titles: Mapping[str, str]
    bodies: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class ParticipantSpec:
    username: str
    display_name: str
    country: CountryCode
    preferred_language: LanguageCode


@dataclass(frozen=True, kw_only=True)
class TeamSpec:
    """A demo team; the first member is its captain. ``bracket`` is the slug of a custom bracket, if any
    (the country bracket follows from the members' countries)."""

    name: str
    members: tuple[str, ...]
    bracket: str | None = None


# ---------------------------------------------------------------------------------------------------------------
# The event
# ---------------------------------------------------------------------------------------------------------------

EVENT = EventSpec(
    slug="bridge-ctf",
    names=_texts("UK–Japan Bridge CTF", "日英ブリッジCTF"),
    descriptions=_texts(
        "**UK–Japan Bridge CTF** is a joint capture-the-flag exercise run by cyber clusters, universities and "
        "companies from the United Kingdom and Japan. "
        "Teams may mix UK and Japanese members: mixed teams are ranked overall and in their own "
        "*Mixed UK–Japan* bracket. "
        "Unless a challenge says otherwise, flags look like `bridge{...}`. "
        "Play fair: do not attack the scoreboard or other teams, do not share flags or hints between teams, "
        "and do not brute-force the flag form. "
        "If a challenge seems broken, tell the organisers rather than poking at the infrastructure.",
        "**日英ブリッジCTF** は、日英のサイバーセキュリティ・クラスター、大学、企業が"
        "合同で開催する CTF 演習です。"
        "チームは日英混成でも構いません。混成チームは総合順位に加えて「日英混成」部門でも"
        "順位が表示されます。"
        "特に記載のない限り、フラグ形式は `bridge{...}` です。"
        "スコアサーバや他チームへの攻撃、チーム間でのフラグ・ヒントの共有、フラグの総当たりは禁止です。"
        "問題サーバの不具合らしきものを見つけた場合は、深追いせずに運営までご連絡ください。",
    ),
    team_size_limit=4,
)

BRACKETS: tuple[BracketSpec, ...] = (
    BracketSpec(
        slug="students",
        names=_texts("Students", "学生"),
        descriptions=_texts(
            "Teams whose members are all enrolled at a university, college or school in the UK or Japan.",
            "メンバー全員が日英いずれかの大学・高専・学校に在籍しているチームが対象です。",
        ),
    ),
    BracketSpec(
        slug="professionals",
        names=_texts("Professionals", "社会人"),
        descriptions=_texts(
            "Teams from companies, public bodies and cyber clusters, whatever their members' experience.",
            "企業・公的機関・クラスターなどに所属する社会人のチームが対象です（経験は問いません）。",
        ),
    ),
)

# ---------------------------------------------------------------------------------------------------------------
# Challenges
# ---------------------------------------------------------------------------------------------------------------

_NOT_ENCRYPTION_BASE64 = "YnJpZGdle2Jhc2U2NF9pc19lbmNvZGluZ19ub3RfZW5jcnlwdGlvbn0="  # bridge{base64_is_encoding_...}

CHALLENGES: tuple[ChallengeSpec, ...] = (
    ChallengeSpec(
        key="misc-welcome",
        category="misc",
        difficulty=1,
        author="Olivia Hughes",
        titles=_texts("Welcome Aboard", "ようこそ"),
        descriptions=_texts(
            "Welcome to UK–Japan Bridge CTF! Read the rules on the event page and say hello to your teammates. "
            "Then submit this flag to check that everything works for your team:\n\n"
            "`bridge{yoroshiku_onegaishimasu}`",
            "日英ブリッジCTFへようこそ！まずはイベントページのルールを確認して、"
            "チームメイトに挨拶しておきましょう。"
            "動作確認として、以下のフラグを提出してください。\n\n"
            "`bridge{yoroshiku_onegaishimasu}`",
        ),
        tags=("welcome",),
        value=100,
        flags=(FlagSpec("static", "bridge{yoroshiku_onegaishimasu}"),),
    ),
    ChallengeSpec(
        key="misc-glossary-sprint",
        category="misc",
        difficulty=2,
        author="佐藤 健",
        titles=_texts("Glossary Sprint", "用語スプリント"),
        descriptions=_texts(
            "Security teams in London and Tokyo often talk past each other. "
            "This service asks 30 questions from the Kakehashi glossary, some in English and some in Japanese: "
            "answer each in the other language, all within 90 seconds. "
            "Enter your team name when asked; the flag it prints is unique to your team, "
            "so sharing it will not help anyone.",
            "ロンドンと東京のセキュリティ担当者は、同じ話をしているつもりでも意外とすれ違います。"
            "この問題サーバは Kakehashi の用語集から30問を出題します。"
            "英語の用語には日本語で、日本語の用語には英語で、合計90秒以内に答えてください。"
            "接続すると最初にチーム名を聞かれます。フラグはチームごとに異なるので、共有しても意味はありません。",
        ),
        connection_info=_same("nc bridge.example 31337"),
        tags=("ppc", "glossary"),
        value=200,
        flags=(FlagSpec("generated", ""),),
        hints=(
            HintSpec(
                0,
                _texts(
                    "Writing a script that looks the answers up in the glossary is allowed, even encouraged.",
                    "用語集を引いて自動で回答するスクリプトを書くのはアリです。むしろ推奨します。",
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="web-cookie",
        category="web",
        difficulty=1,
        author="Gareth Llewellyn",
        titles=_texts("Tea Time Admin", "ティータイム管理画面"),
        descriptions=_texts(
            "We built a tiny site for booking tea breaks during the event. "
            "Only administrators can see the secret menu, and the site seems very sure that you are just a "
            "`guest`. Can you convince it otherwise?",
            "イベント中のお茶休憩を予約するための小さなサイトを作りました。"
            "秘密のメニューは管理者しか見られないようです。"
            "なぜかこのサイトは、あなたが `guest` であることを知っています。"
            "管理者になりすまして、メニューを覗いてみてください。",
        ),
        connection_info=_same("http://bridge.example:8001/"),
        tags=("beginner", "cookie"),
        value=100,
        flags=(FlagSpec("static", "bridge{c00kie_r0le_1s_n0t_auth}"),),
        hints=(
            HintSpec(
                0,
                _texts(
                    "Open your browser's developer tools and look at the cookies this site sets.",
                    "ブラウザの開発者ツールで、このサイトが発行している Cookie を見てみましょう。",
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="web-kanji-lookup",
        category="web",
        difficulty=3,
        author="森本 圭",
        titles=_texts("Kanji Lookup", "漢字辞書"),
        descriptions=_texts(
            "A bilingual kanji dictionary lets you search by reading or by English meaning. "
            "Rumour has it that the developers keep something more interesting than kanji in the same database. "
            "Sign in with your team name: the flag stored for your team is unique. "
            "Please do not run automated scanners; the intended solution needs only a handful of requests.",
            "読みや英語の意味から漢字を検索できる、日英対応の辞書サイトです。"
            "同じデータベースには、漢字よりも面白いものが入っているという噂があります。"
            "ログインにはチーム名を使ってください。保存されているフラグはチームごとに異なります。"
            "想定解は数リクエストで済むので、自動スキャナの使用はご遠慮ください。",
        ),
        connection_info=_same("http://bridge.example:8002/"),
        tags=("sqli", "sqlite"),
        value=500,
        function="logarithmic",
        minimum=100,
        decay=20,
        flags=(FlagSpec("generated", ""),),
        hints=(
            HintSpec(
                25,
                _texts(
                    "What happens when your search contains a single quote (`'`)?",
                    "検索語にシングルクォート（`'`）を入れるとどうなるでしょうか。",
                ),
            ),
            HintSpec(
                50,
                _texts(
                    "The database is SQLite, and `sqlite_master` lists every table.",
                    "DB は SQLite です。`sqlite_master` を見ればテーブルの一覧がわかります。",
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="crypto-not-encryption",
        category="crypto",
        difficulty=1,
        author="Fiona Campbell",
        titles=_texts("Not Encryption", "暗号化（？）"),
        descriptions=_texts(
            'An intern at a partner company proudly "encrypted" the password of the shared drive '
            "and pasted it into the group chat:\n\n"
            f"```\n{_NOT_ENCRYPTION_BASE64}\n```\n\n"
            "Is it really encrypted? The password is the flag.",
            "パートナー企業のインターンが、共有ドライブのパスワードを「暗号化しておきました」と言って"
            "グループチャットに貼り付けました。\n\n"
            f"```\n{_NOT_ENCRYPTION_BASE64}\n```\n\n"
            "これ、本当に暗号化と言えるでしょうか。パスワードがそのままフラグです。",
        ),
        tags=("beginner", "encoding"),
        value=100,
        flags=(FlagSpec("static", "bridge{base64_is_encoding_not_encryption}"),),
        hints=(
            HintSpec(
                0,
                _texts(
                    "The string ends with `=`. Which common encoding pads its output with `=`?",
                    "末尾の `=` は、とある有名なエンコード方式でよく見かけるパディングです。",
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="forensics-tidewater-1",
        category="forensics",
        difficulty=2,
        author="Hamish Reid",
        titles=_texts("Tidewater 1: Odd Queries", "Tidewater 1: 不審なクエリ"),
        descriptions=_texts(
            "The SOC of Seto Marine Logistics, a fictional shipping company, noticed a workstation sending "
            "thousands of DNS queries for random-looking subdomains of `tidewater.example`. "
            "The capture `tidewater.pcapng` covers ten minutes of that traffic: work out what left the network. "
            "This is the first of three linked challenges, and solving it unlocks the next one.",
            "架空の海運会社「瀬戸マリン物流」の SOC が、ある端末から `tidewater.example` の"
            "ランダムなサブドメインに大量の DNS クエリが送られていることに気付きました。"
            "配布ファイル `tidewater.pcapng` には、その10分間の通信が記録されています。"
            "社外に何が持ち出されたのかを突き止めてください。"
            "この問題は3問続くシリーズの1問目で、解くと次の問題が開放されます。",
        ),
        tags=("pcap", "dns", "tidewater"),
        value=200,
        flags=(FlagSpec("static", "bridge{dns_3xf1l_1n_sm4ll_b1t3s}"),),
        hints=(
            HintSpec(
                10,
                _texts(
                    'Filter on `dns.qry.name contains "tidewater"` and read the first label of each query in order.',
                    '`dns.qry.name contains "tidewater"` で絞り込み、各クエリの先頭ラベルを順番に並べてみましょう。',
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="reversing-tidewater-2",
        category="reversing",
        difficulty=3,
        author="田中 翔太",
        titles=_texts("Tidewater 2: The Dropper", "Tidewater 2: ドロッパー"),
        descriptions=_texts(
            "The incident response team recovered the program behind the DNS traffic, `tidewater.exe` "
            "(Windows x86-64). "
            "It decrypts an embedded configuration block at start-up and never writes it to disk. "
            "Recover the configuration: the flag is in it, together with something you will need for "
            "Tidewater 3. Do not run the sample on a machine you care about.",
            "インシデント対応チームが、あの DNS 通信を発生させていたプログラム `tidewater.exe`"
            "（Windows x86-64）を回収しました。"
            "このプログラムは起動時に埋め込みの設定ブロックを復号しますが、ディスクには書き出しません。"
            "設定を復元してください。フラグのほかに、Tidewater 3 で必要になる情報も含まれています。"
            "検体は必ず隔離した環境で扱ってください。",
        ),
        tags=("windows", "malware", "tidewater"),
        value=400,
        function="logarithmic",
        minimum=100,
        decay=20,
        flags=(FlagSpec("static", "bridge{str1ngs_w0nt_s4ve_y0u_h3re}"),),
        hints=(
            HintSpec(
                30,
                _texts(
                    "The block is XORed with a key built at run time. "
                    "Breaking just after the decryption loop is quicker than reading it statically.",
                    "設定ブロックは実行時に組み立てられる鍵で XOR されています。"
                    "静的に読むより、復号ループの直後でブレークするほうが早いです。",
                ),
            ),
        ),
        prerequisites=("forensics-tidewater-1",),
    ),
    ChallengeSpec(
        key="crypto-tidewater-3",
        category="crypto",
        difficulty=4,
        author="Fiona Campbell",
        titles=_texts("Tidewater 3: The Stolen Manifest", "Tidewater 3: 盗まれた積荷目録"),
        descriptions=_texts(
            "`manifest.enc` is the file the dropper sent out, reassembled from the DNS queries. "
            "It is encrypted with RC4, using the key from the dropper's configuration... or so its author thought. "
            "Decrypt it and find out which shipment the attackers were after: the flag is in the manifest.",
            "配布ファイル `manifest.enc` は、DNS クエリから復元した、ドロッパーが送信したファイルです。"
            "ドロッパーの設定にあった鍵を使って RC4 で暗号化されている……と、作者は思っていたようです。"
            "復号して、攻撃者が狙っていた積荷を特定してください。フラグは積荷目録の中にあります。",
        ),
        tags=("rc4", "tidewater"),
        value=500,
        function="logarithmic",
        minimum=150,
        decay=15,
        flags=(FlagSpec("static", "bridge{t1m3st4mp_s33ds_4re_n0t_s3cr3ts}"),),
        hints=(
            HintSpec(
                25,
                _texts(
                    "The key from the configuration is only half of the RC4 key.",
                    "設定に書かれている鍵は、RC4 の鍵の半分にすぎません。",
                ),
            ),
            HintSpec(
                50,
                _texts(
                    "The other half is a Unix timestamp, and the capture from Tidewater 1 tells you roughly when "
                    "the file was sent.",
                    "残りの半分は Unix タイムスタンプです。Tidewater 1 のパケットキャプチャから、"
                    "送信されたおおよその時刻がわかります。",
                ),
            ),
        ),
        prerequisites=("reversing-tidewater-2",),
    ),
    ChallengeSpec(
        key="forensics-dashcam",
        category="forensics",
        difficulty=3,
        author="Hamish Reid",
        titles=_texts("Dashcam Memories", "ドラレコの記憶"),
        descriptions=_texts(
            "A hire car returned to our Bristol depot had the SD card of its dashcam wiped. "
            "The image `dashcam.img` is all we have. "
            "Deleted does not mean gone: find the frame the driver did not want anyone to see.",
            "ブリストルの営業所に返却されたレンタカーで、ドライブレコーダーの SD カードが消去されていました。"
            "手元にあるのは配布ファイルのディスクイメージ `dashcam.img` だけです。"
            "削除されたからといって、データが消えたとは限りません。"
            "運転手が見られたくなかった映像を探し出してください。",
        ),
        tags=("disk", "file-carving"),
        value=300,
        function="linear",
        minimum=100,
        decay=10,
        flags=(FlagSpec("static", "bridge{d3l3t3d_1s_n0t_g0n3}"),),
        hints=(
            HintSpec(
                15,
                _texts(
                    "The card is formatted as FAT32. The Sleuth Kit or PhotoRec can list and recover deleted files.",
                    "SD カードは FAT32 です。The Sleuth Kit や PhotoRec で削除済みファイルを一覧・復元できます。",
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="reversing-shinkansen",
        category="reversing",
        difficulty=5,
        author="石川 あずさ",
        titles=_texts("Shinkansen", "新幹線"),
        descriptions=_texts(
            "This licence checker is faster than the Nozomi and twice as paranoid: it detects debuggers, "
            "verifies its own code and runs the real check inside a tiny virtual machine. "
            "Give it the right licence key and it prints the flag. "
            "Attachment: `shinkansen` (Linux x86-64 ELF).",
            "のぞみより速く、倍くらい疑り深いライセンスチェッカーです。"
            "デバッガ検知や自己改ざんチェックに加えて、本命の判定は小さな VM の中で行われます。"
            "正しいライセンスキーを入力するとフラグが表示されます。"
            "配布ファイル: `shinkansen`（Linux x86-64 ELF）",
        ),
        tags=("vm", "anti-debug"),
        value=500,
        function="logarithmic",
        minimum=200,
        decay=10,
        flags=(FlagSpec("static", "bridge{n0z0m1_vm_h4s_n0_st0ps}"),),
        hints=(
            HintSpec(
                20,
                _texts(
                    "The anti-debugging is a single `ptrace(PTRACE_TRACEME)` call: patch it out first.",
                    "デバッガ検知は `ptrace(PTRACE_TRACEME)` の呼び出し1か所だけです。まずはパッチで潰しましょう。",
                ),
            ),
            HintSpec(
                50,
                _texts(
                    "The VM has only eight opcodes. Write a disassembler for the bytecode before reading the check.",
                    "VM の命令は8種類しかありません。"
                    "判定を読む前に、バイトコードの逆アセンブラを書いておくのがおすすめです。",
                ),
            ),
        ),
    ),
    ChallengeSpec(
        key="osint-island-hopping",
        category="osint",
        difficulty=2,
        author="佐藤 健",
        titles=_texts("Island Hopping", "島めぐり"),
        descriptions=_texts(
            'A colleague in Japan sent `photo.jpg` from a cycling trip with the message "Guess where I am!". '
            "Name the bridge in the photo in romaji, lowercase, with words joined by underscores, "
            "for example `bridge{tower_bridge}`. "
            "You have five attempts, so check before you submit.",
            "日本の同僚が、サイクリング旅行の途中で「どこにいるでしょう？」というメッセージと一緒に"
            "写真を送ってきました（配布ファイル: `photo.jpg`）。"
            "写っている橋の名前を、ローマ字の小文字・単語の区切りはアンダースコアで答えてください。"
            "例: `bridge{tower_bridge}`\n\n"
            "回答は5回までなので、よく確認してから提出してください。",
        ),
        tags=("geolocation",),
        value=200,
        flags=(FlagSpec("regex", r"bridge\{kurushima[_-]?kaiky(o|ou|oo)[_-]?((o|oo|ou)hashi|bridge)\}", True),),
        hints=(
            HintSpec(
                10,
                _texts(
                    "The cycling route links Honshu and Shikoku by way of six islands.",
                    "このサイクリングロードは、6つの島を経由して本州と四国を結んでいます。",
                ),
            ),
        ),
        max_attempts=5,
    ),
    ChallengeSpec(
        key="osint-over-the-straits",
        category="osint",
        difficulty=3,
        author="Gareth Llewellyn",
        titles=_texts("Over the Straits", "海峡を越えて"),
        descriptions=_texts(
            "A partner in Wales shared `dawn.jpg`, taken at dawn from a rocky shore. "
            "Find the bridge and submit its English name in lowercase with underscores, "
            "for example `bridge{tower_bridge}`. Its Welsh name is accepted too. You have five attempts.",
            "ウェールズのパートナーが、明け方に岩場の海岸から撮った写真を共有してくれました"
            "（配布ファイル: `dawn.jpg`）。"
            "この橋を特定し、英語名を小文字・アンダースコア区切りで答えてください。"
            "例: `bridge{tower_bridge}`\n\n"
            "ウェールズ語の名称でも正解とします。回答は5回までです。",
        ),
        tags=("geolocation", "wales"),
        value=300,
        flags=(
            FlagSpec("static", "bridge{menai_suspension_bridge}", True),
            FlagSpec("regex", r"bridge\{pont[_-]?grog[_-]?y[_-]?borth\}", True),
        ),
        hints=(
            HintSpec(
                20,
                _texts(
                    "It was designed by a Scottish engineer and opened in 1826.",
                    "設計したのはスコットランド出身の技術者で、開通は1826年です。",
                ),
            ),
        ),
        max_attempts=5,
    ),
)

# ---------------------------------------------------------------------------------------------------------------
# Announcements
# ---------------------------------------------------------------------------------------------------------------

ANNOUNCEMENTS: tuple[AnnouncementSpec, ...] = (
    AnnouncementSpec(
        key="welcome",
        titles=_texts("Welcome to UK–Japan Bridge CTF", "日英ブリッジCTFへようこそ"),
        bodies=_texts(
            "The event is open! Start with **Welcome Aboard** to check that flag submission works for your team. "
            "Send questions to the organisers in English or Japanese, whichever you prefer. "
            "Good luck, and enjoy building bridges.",
            "競技を開始しました！まずは「ようこそ」を解いて、フラグを提出できることを確認してください。"
            "運営への質問は、日本語・英語どちらでも受け付けています。"
            "それでは、日英の架け橋を楽しんでください。",
        ),
    ),
    AnnouncementSpec(
        key="hint-tidewater-3",
        titles=_texts("New hint for Tidewater 3", "Tidewater 3 にヒントを追加しました"),
        bodies=_texts(
            "Only a few teams have got past **Tidewater 3: The Stolen Manifest**, so we have added a second hint. "
            "It costs 50 points, taken from your team's score when you unlock it.",
            "「Tidewater 3: 盗まれた積荷目録」の正解チームがまだ少ないため、2つ目のヒントを追加しました。"
            "開放すると、チームの得点から50点が差し引かれます。",
        ),
    ),
)

# ---------------------------------------------------------------------------------------------------------------
# People and teams
# ---------------------------------------------------------------------------------------------------------------

CORE_PARTICIPANT_COUNTRIES: Mapping[str, CountryCode] = MappingProxyType(
    {"alice": "GB", "owen": "GB", "hana": "JP", "yuki": "JP"}
)
"""The participants of :data:`kakehashi.site.demo.PEOPLE`, with their countries."""

EXTRA_PARTICIPANTS: tuple[ParticipantSpec, ...] = (
    ParticipantSpec(username="rhys", display_name="Rhys Pritchard", country="GB", preferred_language="en"),
    ParticipantSpec(username="callum", display_name="Callum Fraser", country="GB", preferred_language="en"),
    ParticipantSpec(username="priya", display_name="Priya Natarajan", country="GB", preferred_language="en"),
    ParticipantSpec(username="ellie", display_name="Ellie Shaw", country="GB", preferred_language="en"),
    ParticipantSpec(username="siobhan", display_name="Siobhan Kelly", country="GB", preferred_language="en"),
    ParticipantSpec(username="tom", display_name="Tom Whitaker", country="GB", preferred_language="ja"),
    ParticipantSpec(username="kenta", display_name="高橋 健太", country="JP", preferred_language="ja"),
    ParticipantSpec(username="misaki", display_name="伊藤 美咲", country="JP", preferred_language="ja"),
    ParticipantSpec(username="daichi", display_name="中村 大地", country="JP", preferred_language="ja"),
    ParticipantSpec(username="ayaka", display_name="小林 彩花", country="JP", preferred_language="ja"),
    ParticipantSpec(username="sakura", display_name="松本 さくら", country="JP", preferred_language="ja"),
    ParticipantSpec(username="takumi", display_name="渡辺 拓海", country="JP", preferred_language="en"),
)

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(name="Severn Shellcoders", members=("alice", "rhys", "callum"), bracket="professionals"),
    TeamSpec(name="瀬戸内ハッカーズ", members=("hana", "kenta", "misaki"), bracket="professionals"),
    TeamSpec(name="関工大セキュリティ研究会", members=("yuki", "daichi"), bracket="students"),
    TeamSpec(name="Cardiff–Hiroshima Exchange", members=("priya", "takumi", "ellie"), bracket="students"),
    TeamSpec(name="Tea & Matcha", members=("owen", "ayaka")),
    TeamSpec(name="なにわビット", members=("tom", "siobhan", "sakura")),
)

# ---------------------------------------------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------------------------------------------

_CATEGORIES = ("web", "crypto", "forensics", "reversing", "osint", "misc")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_FLAG_SHAPE = re.compile(r"bridge\{[^{}\s]+\}")
_REGEX_FLAG_EXAMPLES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "osint-island-hopping": (
            "bridge{kurushima_kaikyo_ohashi}",
            "bridge{kurushima_kaikyou_oohashi}",
            "bridge{Kurushima-Kaikyo-Bridge}",
        ),
        "osint-over-the-straits": ("bridge{pont_grog_y_borth}", "bridge{pontgrogyborth}"),
    }
)
"""Answers that the regular-expression flags of a challenge must accept."""


def _text_problems(where: str, texts: Mapping[str, str] | None) -> list[str]:
    if texts is None:
        return []
    problems = []
    if set(texts) != set(LANGUAGES):
        problems.append(f"{where}: languages are {sorted(texts)}, expected {list(LANGUAGES)}")
    problems += [f"{where}: empty {code} text" for code in LANGUAGES if not texts.get(code, "").strip()]
    if texts.get("ja") and texts.get("ja") != texts.get("en") and not _JAPANESE.search(texts["ja"]):
        problems.append(f"{where}: the ja text has no Japanese in it")
    return problems


def _duplicates(where: str, values: Iterable[str]) -> list[str]:
    return [f"duplicate {where}: {value}" for value, count in Counter(values).items() if count > 1]


def _value_problems(challenge: ChallengeSpec) -> list[str]:
    where = f"challenge {challenge.key}"
    if challenge.function == "static":
        problems = [] if 100 <= challenge.value <= 500 else [f"{where}: value {challenge.value} outside 100–500"]
        if challenge.minimum is not None or challenge.decay is not None:
            problems.append(f"{where}: a static value takes no minimum or decay")
        return problems
    if challenge.minimum is None or challenge.decay is None:
        return [f"{where}: a {challenge.function} value needs a minimum and a decay"]
    problems = []
    if not 0 <= challenge.minimum <= challenge.value:
        problems.append(f"{where}: minimum {challenge.minimum} not between 0 and the initial value")
    if challenge.decay <= 0:
        problems.append(f"{where}: decay must be positive")
    return problems


def _flag_problems(where: str, flag: FlagSpec) -> list[str]:
    if flag.kind == "generated":
        return [f"{where}: a generated flag takes no content"] if flag.content else []
    if not flag.content:
        return [f"{where}: empty {flag.kind} flag"]
    if flag.kind == "static":
        return [] if _FLAG_SHAPE.fullmatch(flag.content) else [f"{where}: {flag.content!r} is not like bridge{{...}}"]
    try:
        flag_rules.validate_pattern(flag.content, case_insensitive=flag.case_insensitive)
    except flag_rules.FlagError as error:
        return [f"{where}: {flag.content!r} cannot be used on RE2 ({error.code}: {error.message})"]
    return []


def _accepts(flag: FlagSpec, answer: str) -> bool:
    """Whether ``flag`` accepts ``answer`` (a generated flag accepts nothing known in advance)."""
    if flag.kind == "static":
        return flag_rules.static_matches(flag.content, answer, case_insensitive=flag.case_insensitive)
    if flag.kind == "regex":
        return flag_rules.regex_matches(flag.content, answer, case_insensitive=flag.case_insensitive)
    return False


def _encoded_flags(challenge: ChallengeSpec) -> list[tuple[str, str]]:
    """The Base64 strings in a challenge's descriptions that decode to something shaped like a flag."""
    found = []
    tokens = {token: None for text in challenge.descriptions.values() for token in _BASE64_TOKEN.findall(text)}
    for token in tokens:
        try:
            decoded = base64.b64decode(token, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
        if _FLAG_SHAPE.fullmatch(decoded):
            found.append((token, decoded))
    return found


def _answer_problems(challenge: ChallengeSpec) -> list[str]:
    where = f"challenge {challenge.key}"
    problems = [] if challenge.flags else [f"{where}: no flags"]
    for flag in challenge.flags:
        problems += _flag_problems(where, flag)
    if problems:
        return problems
    for example in _REGEX_FLAG_EXAMPLES.get(challenge.key, ()):
        if not any(flag.kind == "regex" and _accepts(flag, example) for flag in challenge.flags):
            problems.append(f"{where}: no regex flag accepts {example!r}")
    for token, decoded in _encoded_flags(challenge):
        if not any(_accepts(flag, decoded) for flag in challenge.flags):
            problems.append(f"{where}: {token} decodes to {decoded!r}, which is not accepted")
    return problems


def _challenge_problems(challenge: ChallengeSpec) -> list[str]:
    where = f"challenge {challenge.key}"
    problems = _text_problems(f"{where} title", challenge.titles)
    problems += _text_problems(f"{where} description", challenge.descriptions)
    problems += _text_problems(f"{where} connection info", challenge.connection_info)
    if challenge.category not in _CATEGORIES:
        problems.append(f"{where}: unknown category {challenge.category}")
    if not 1 <= challenge.difficulty <= 5:
        problems.append(f"{where}: difficulty {challenge.difficulty} outside 1–5")
    if not challenge.author.strip():
        problems.append(f"{where}: no author")
    if not 1 <= len(challenge.tags) <= 3:
        problems.append(f"{where}: {len(challenge.tags)} tags, expected 1–3")
    if len(challenge.hints) > 2:
        problems.append(f"{where}: more than two hints")
    for number, hint in enumerate(challenge.hints, start=1):
        problems += _text_problems(f"{where} hint {number}", hint.contents)
        if not 0 <= hint.cost <= 50:
            problems.append(f"{where} hint {number}: cost {hint.cost} outside 0–50")
    if challenge.max_attempts < 0:
        problems.append(f"{where}: negative max_attempts")
    return problems + _value_problems(challenge) + _answer_problems(challenge)


def _prerequisite_problems() -> list[str]:
    keys = {challenge.key for challenge in CHALLENGES}
    graph = {challenge.key: challenge.prerequisites for challenge in CHALLENGES}
    problems = [
        f"challenge {key}: unknown prerequisite {prerequisite}"
        for key, prerequisites in graph.items()
        for prerequisite in prerequisites
        if prerequisite not in keys
    ]
    problems += [f"challenge {key}: is its own prerequisite" for key in graph if key in graph[key]]
    if problems:
        return problems
    depth: dict[str, int] = {}
    in_progress: set[str] = set()

    def chain_length(key: str) -> int:
        """The number of challenges in the longest chain ending at ``key``; -1 on a cycle."""
        if key in depth:
            return depth[key]
        if key in in_progress:
            return -1
        in_progress.add(key)
        lengths = [chain_length(prerequisite) for prerequisite in graph[key]]
        in_progress.discard(key)
        depth[key] = -1 if -1 in lengths else 1 + max(lengths, default=0)
        return depth[key]

    lengths = {key: chain_length(key) for key in graph}
    if -1 in lengths.values():
        return ["the prerequisites form a cycle"]
    edges = sum(len(prerequisites) for prerequisites in graph.values())
    if edges != 2 or max(lengths.values()) != 3:
        problems.append("the prerequisites should form exactly one chain of three challenges")
    return problems


def _people_problems() -> list[str]:
    problems = _duplicates("username", [*CORE_PARTICIPANT_COUNTRIES, *(p.username for p in EXTRA_PARTICIPANTS)])
    if len(EXTRA_PARTICIPANTS) < 8:
        problems.append(f"{len(EXTRA_PARTICIPANTS)} extra participants, expected at least 8")
    for person in EXTRA_PARTICIPANTS:
        if person.country not in ("GB", "JP") or person.preferred_language not in LANGUAGES:
            problems.append(f"participant {person.username}: unknown country or language")
        if not person.display_name.strip():
            problems.append(f"participant {person.username}: no display name")
    return problems


def _team_problems() -> list[str]:
    countries: dict[str, str] = {**CORE_PARTICIPANT_COUNTRIES}
    countries.update((person.username, person.country) for person in EXTRA_PARTICIPANTS)
    problems = _duplicates("team name", [team.name.casefold() for team in TEAMS])
    problems += _duplicates("team member", [member for team in TEAMS for member in team.members])
    if len(TEAMS) != 6:
        problems.append(f"{len(TEAMS)} teams, expected 6")
    bracket_slugs = {bracket.slug for bracket in BRACKETS}
    limit = EVENT.team_size_limit
    country_brackets = Counter[str]()
    for team in TEAMS:
        unknown = [member for member in team.members if member not in countries]
        if unknown or not team.members:
            problems.append(f"team {team.name}: no members, or unknown ones {unknown}")
        if limit is not None and len(team.members) > limit:
            problems.append(f"team {team.name}: more than {limit} members")
        if team.bracket is not None and team.bracket not in bracket_slugs:
            problems.append(f"team {team.name}: unknown bracket {team.bracket}")
        country_brackets[country_bracket(countries[m] for m in team.members if m in countries)] += 1
    if country_brackets["uk"] < 1 or country_brackets["jp"] < 1 or country_brackets["mixed"] < 2:
        problems.append(f"teams by country {dict(country_brackets)}: expected uk ≥ 1, jp ≥ 1 and mixed ≥ 2")
    per_bracket = Counter(team.bracket for team in TEAMS)
    for slug in ("students", "professionals"):
        if per_bracket[slug] != 2:
            problems.append(f"{per_bracket[slug]} teams in the {slug} bracket, expected 2")
    return problems


def _event_problems() -> list[str]:
    problems = []
    if EVENT.slug != "bridge-ctf" or tuple(EVENT.languages) != LANGUAGES:
        problems.append("the event should be bridge-ctf, in English and Japanese")
    problems += _text_problems("event name", EVENT.names)
    problems += _text_problems("event description", EVENT.descriptions)
    try:
        flag_rules.validate_format(EVENT.generated_flag_format)
    except flag_rules.FlagError as error:
        problems.append(f"format of generated flags: {error.message}")
    problems += _duplicates("bracket", [bracket.slug for bracket in BRACKETS])
    if {bracket.slug for bracket in BRACKETS} != {"students", "professionals"}:
        problems.append("the brackets should be students and professionals")
    for bracket in BRACKETS:
        problems += _text_problems(f"bracket {bracket.slug} name", bracket.names)
        problems += _text_problems(f"bracket {bracket.slug} description", bracket.descriptions)
    problems += _duplicates("announcement", [announcement.key for announcement in ANNOUNCEMENTS])
    if len(ANNOUNCEMENTS) != 2:
        problems.append(f"{len(ANNOUNCEMENTS)} announcements, expected 2")
    for announcement in ANNOUNCEMENTS:
        problems += _text_problems(f"announcement {announcement.key} title", announcement.titles)
        problems += _text_problems(f"announcement {announcement.key} body", announcement.bodies)
    return problems


def _challenge_set_problems() -> list[str]:
    problems = _duplicates("challenge key", [challenge.key for challenge in CHALLENGES])
    if len(CHALLENGES) != 12:
        problems.append(f"{len(CHALLENGES)} challenges, expected 12")
    categories = Counter(challenge.category for challenge in CHALLENGES)
    problems += [f"{categories[c]} {c} challenges, expected 2" for c in _CATEGORIES if categories[c] != 2]
    for challenge in CHALLENGES:
        problems += _challenge_problems(challenge)
    if sum(challenge.function != "static" for challenge in CHALLENGES) < 4:
        problems.append("fewer than 4 challenges with a decaying value")
    if not any(challenge.max_attempts == 5 for challenge in CHALLENGES):
        problems.append("no challenge limited to 5 attempts")
    if not any(_encoded_flags(challenge) for challenge in CHALLENGES):
        problems.append("no beginner challenge with a Base64-encoded flag in its description")
    flags = [flag for challenge in CHALLENGES for flag in challenge.flags]
    kinds = Counter[str](flag.kind for flag in flags)
    for kind, least in (("static", 7), ("regex", 2), ("generated", 2)):
        if kinds[kind] < least:
            problems.append(f"{kinds[kind]} {kind} flags, expected at least {least}")
    if not any(flag.kind == "static" and flag.case_insensitive for flag in flags):
        problems.append("no case-insensitive static flag")
    return problems + _prerequisite_problems()


def validate() -> list[str]:
    """Problems with the demo content (duplicates, missing languages, broken references, unmet counts)."""
    return _event_problems() + _challenge_set_problems() + _people_problems() + _team_problems()
