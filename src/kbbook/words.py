"""The book's own words (not the author's) in the site's language: the contents, the cover,
the landmarks, the cross-references' page numbers, the boxes kbbook writes into pages.

`words(lang)` picks the table for `lang` (`pt-BR` -> `pt`, `nb`/`nn` -> `no`), English when
kbbook has none; `direction(lang)` says which way the language is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache


@dataclass(frozen=True)
class Words:
    """What kbbook itself writes into a book, in one language."""

    contents: str
    """The book's contents page and nav."""
    cover: str
    """The cover's landmark and document title."""
    start: str
    """The landmark of the first page of the text."""
    landmarks: str
    """The heading of the (hidden) landmarks list."""
    page_before: str
    """Before the page number of a cross-reference: "(p. 12)"."""
    page_after: str
    """After it."""
    child_pages: str
    """The heading of a parent page's list of its child pages (as the theme's)."""
    embedded: str
    """Before the address of an embedded player kbbook replaced by a link."""
    details: str
    """The summary of a `<details>` box that has none."""
    not_rendered: str
    """In place of a page that could not be rendered."""
    diagram: str
    """The accessible name of a drawn diagram."""
    see: str = "see"
    """Before the chapter a handout's link leads to, when the site has no web address."""

    def page_ref(self, number: str) -> str:
        return f"{self.page_before}{number}{self.page_after}"


_NB = "\u00a0"
_TABLES: dict[str, Words] = {
    "en": Words("Contents", "Cover", "Start of the text", "Landmarks", f"p.{_NB}", "",
                "Table of contents", "Embedded content: ", "Details",
                "(This page could not be rendered.)", "Diagram"),
    "de": Words("Inhalt", "Umschlag", "Textanfang", "Orientierungspunkte", f"S.{_NB}", "",
                "Inhaltsverzeichnis", "Eingebetteter Inhalt: ", "Details",
                "(Diese Seite konnte nicht gesetzt werden.)", "Diagramm"),
    "fr": Words("Table des matières", "Couverture", "Début du texte", "Repères", f"p.{_NB}",
                "", "Table des matières", f"Contenu intégré{_NB}: ", "Détails",
                "(Cette page n’a pas pu être composée.)", "Diagramme"),
    "es": Words("Índice", "Cubierta", "Inicio del texto", "Puntos de referencia",
                f"pág.{_NB}", "", "Tabla de contenidos", "Contenido incrustado: ", "Detalles",
                "(No se pudo componer esta página.)", "Diagrama"),
    "it": Words("Indice", "Copertina", "Inizio del testo", "Punti di riferimento",
                f"p.{_NB}", "", "Indice", "Contenuto incorporato: ", "Dettagli",
                "(Non è stato possibile comporre questa pagina.)", "Diagramma"),
    "pt": Words("Sumário", "Capa", "Início do texto", "Pontos de referência", f"p.{_NB}", "",
                "Índice", "Conteúdo incorporado: ", "Detalhes",
                "(Não foi possível compor esta página.)", "Diagrama"),
    "nl": Words("Inhoud", "Omslag", "Begin van de tekst", "Oriëntatiepunten", f"p.{_NB}", "",
                "Inhoudsopgave", "Ingesloten inhoud: ", "Details",
                "(Deze pagina kon niet worden opgemaakt.)", "Diagram"),
    "ja": Words("目次", "表紙", "本文", "ランドマーク", "", f"{_NB}ページ", "目次",
                "埋め込みコンテンツ: ", "詳細", "(このページは組版できませんでした。)", "図"),
    "zh": Words("目录", "封面", "正文", "地标", f"第{_NB}", f"{_NB}页", "目录", "嵌入内容：",
                "详细信息", "（无法排版此页。）", "图表"),
    "ko": Words("목차", "표지", "본문", "랜드마크", "", "쪽", "목차", "삽입된 콘텐츠: ",
                "자세히", "(이 페이지를 조판할 수 없습니다.)", "다이어그램"),
    "no": Words("Innhold", "Omslag", "Begynnelsen av teksten", "Landemerker", f"s.{_NB}", "",
                "Innholdsfortegnelse", "Innebygd innhold: ", "Detaljer",
                "(Denne siden kunne ikke settes.)", "Diagram"),
    "sv": Words("Innehåll", "Omslag", "Textens början", "Landmärken", f"s.{_NB}", "",
                "Innehållsförteckning", "Inbäddat innehåll: ", "Detaljer",
                "(Sidan kunde inte sättas.)", "Diagram"),
    "da": Words("Indhold", "Omslag", "Tekstens begyndelse", "Landemærker", f"s.{_NB}", "",
                "Indholdsfortegnelse", "Indlejret indhold: ", "Detaljer",
                "(Siden kunne ikke sættes.)", "Diagram"),
    "fi": Words("Sisällys", "Kansi", "Tekstin alku", "Maamerkit", f"s.{_NB}", "",
                "Sisällysluettelo", "Upotettu sisältö: ", "Lisätiedot",
                "(Sivua ei voitu taittaa.)", "Kaavio"),
    "pl": Words("Spis treści", "Okładka", "Początek tekstu", "Punkty orientacyjne",
                f"s.{_NB}", "", "Spis treści", "Osadzona treść: ", "Szczegóły",
                "(Nie udało się złożyć tej strony.)", "Diagram"),
    "cs": Words("Obsah", "Obálka", "Začátek textu", "Orientační body", f"s.{_NB}", "",
                "Obsah", "Vložený obsah: ", "Podrobnosti", "(Tuto stránku nelze vysázet.)",
                "Diagram"),
    "ru": Words("Содержание", "Обложка", "Начало текста", "Ориентиры", f"с.{_NB}", "",
                "Содержание", "Встроенное содержимое: ", "Подробнее",
                "(Эту страницу не удалось сверстать.)", "Диаграмма"),
    "ar": Words("المحتويات", "الغلاف", "بداية النص", "معالم", f"ص.{_NB}", "",
                "جدول المحتويات", "محتوى مضمّن: ", "التفاصيل", "(تعذّر تنضيد هذه الصفحة.)",
                "مخطط"),
    "he": Words("תוכן העניינים", "כריכה", "תחילת הטקסט", "ציוני דרך", f"עמ׳{_NB}", "",
                "תוכן העניינים", "תוכן מוטמע: ", "פרטים", "(לא ניתן היה לעמד דף זה.)",
                "תרשים"),
}
_SEE = {"en": "see", "de": "siehe", "fr": "voir", "es": "véase", "it": "vedi", "pt": "ver",
        "nl": "zie", "ja": "参照:", "zh": "见", "ko": "참조:", "no": "se", "sv": "se",
        "da": "se", "fi": "katso", "pl": "zob.", "cs": "viz", "ru": "см.", "ar": "انظر",
        "he": "ראו"}
_TABLES = {lang: replace(table, see=_SEE[lang]) for lang, table in _TABLES.items()}
_ALIASES = {"nb": "no", "nn": "no", "iw": "he"}
# Languages written right to left (their primary subtags).
_RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr",
                  "ug", "ur", "yi"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})
_LTR_SCRIPTS = frozenset({"latn", "cyrl"})


def _primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=32)
def words(lang: str) -> Words:
    """kbbook's words for the language tag `lang`; English when it has none."""
    primary = _primary(lang)
    return _TABLES.get(_ALIASES.get(primary, primary), _TABLES["en"])


def direction(lang: str) -> str:
    """"rtl" for a language written right to left (a script subtag decides: `ku-Latn` is
    left to right, `pa-Arab` right to left), else "ltr"."""
    parts = lang.replace("_", "-").lower().split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script in _RTL_SCRIPTS:
        return "rtl"
    if script in _LTR_SCRIPTS:
        return "ltr"
    return "rtl" if parts[0] in _RTL else "ltr"
