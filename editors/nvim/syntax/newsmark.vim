" Highlighting for Newsmark (.nmk) without the language server: front matter, tags, sigils,
" ids, definition headers, attribute keys and values, escapes and comments.
if exists('b:current_syntax')
  finish
endif
syntax case match
syntax sync minlines=200

" ids: a letter or digit, then letters, marks, digits, - _ .
" comments (anywhere, over several lines; \<!-- is not one)
syntax region newsmarkComment start=/\\\@<!<!--/ end=/-->/ contains=@Spell keepend

" escapes in prose
syntax match newsmarkEscape /\\[\[\]{}@^<\\]/

" tags: [ and ] around the text, then a reference list {@id ^id}
syntax match newsmarkTagBracket /\\\@<!\[/
syntax match newsmarkTagBracket /\\\@<!\]\ze{/
syntax region newsmarkRefList matchgroup=newsmarkRefListBrace start=/\]\@1<={/ end=/}/ oneline contains=newsmarkEntityRef,newsmarkSourceRef,newsmarkRefError
syntax match newsmarkRefError /[^ \t}]\+/ contained
syntax match newsmarkEntityRef /@[[:alnum:]\u00c0-\uffff][[:alnum:]\u00c0-\uffff_.-]*/ contained contains=newsmarkEntitySigil
syntax match newsmarkSourceRef /\^[[:alnum:]\u00c0-\uffff][[:alnum:]\u00c0-\uffff_.-]*/ contained contains=newsmarkSourceSigil
syntax match newsmarkEntitySigil /@/ contained
syntax match newsmarkSourceSigil /\^/ contained

" definition blocks: header `@id: kind "Display Name"`, then indented `key: value` lines
syntax match newsmarkDefHeader /^[@^][[:alnum:]\u00c0-\uffff][[:alnum:]\u00c0-\uffff_.-]*:.*$/ contains=newsmarkDefSigil,newsmarkDefId,newsmarkDefKind,newsmarkDisplayName,newsmarkComment
syntax match newsmarkDefSigil /^[@^]/ contained nextgroup=newsmarkDefId
syntax match newsmarkDefId /[[:alnum:]\u00c0-\uffff][[:alnum:]\u00c0-\uffff_.-]*\ze:/ contained nextgroup=newsmarkDefColon
syntax match newsmarkDefColon /:/ contained nextgroup=newsmarkDefKind skipwhite
syntax match newsmarkDefKind /[^ \t"]\+/ contained
syntax region newsmarkDisplayName start=/"/ skip=/\\[\\"]/ end=/"/ contained contains=newsmarkStringEscape oneline
syntax match newsmarkStringEscape /\\[\\"]/ contained
syntax match newsmarkAttribute /^[ \t]\+[^ \t:]\+:.*$/ contains=newsmarkAttrKey,newsmarkValueRef,newsmarkListSep,newsmarkUrl,newsmarkComment
syntax match newsmarkAttrKey /^[ \t]\+\zs[^ \t:]\+\ze:/ contained
syntax match newsmarkValueRef /\%(^\|[ \t;:]\)\zs[@^][[:alnum:]\u00c0-\uffff][[:alnum:]\u00c0-\uffff_.-]*/ contained contains=newsmarkEntitySigil,newsmarkSourceSigil
syntax match newsmarkListSep /;/ contained
syntax match newsmarkUrl /\chttps\?:\/\/[^ \t;<]\+/ contained

" front matter: line 1 is exactly ---, up to the next ---
syntax region newsmarkFrontMatter start=/\%^---$/ end=/^---$/ keepend contains=newsmarkFrontMatterDelim,newsmarkFrontMatterKey,newsmarkValueRef,newsmarkListSep,newsmarkUrl,newsmarkComment
syntax match newsmarkFrontMatterDelim /^---$/ contained
syntax match newsmarkFrontMatterKey /^[^ \t:]\+\ze:/ contained

highlight default link newsmarkComment Comment
highlight default link newsmarkEscape SpecialChar
highlight default link newsmarkStringEscape SpecialChar
highlight default link newsmarkTagBracket Delimiter
highlight default link newsmarkRefListBrace Delimiter
highlight default link newsmarkRefError Error
highlight default link newsmarkEntityRef Identifier
highlight default link newsmarkSourceRef Constant
highlight default link newsmarkEntitySigil Special
highlight default link newsmarkSourceSigil Special
highlight default link newsmarkDefSigil Special
highlight default link newsmarkDefId Function
highlight default link newsmarkDefColon Delimiter
highlight default link newsmarkDefKind Type
highlight default link newsmarkDisplayName String
highlight default link newsmarkAttrKey Label
highlight default link newsmarkValueRef Identifier
highlight default link newsmarkListSep Delimiter
highlight default link newsmarkUrl Underlined
highlight default link newsmarkFrontMatterDelim PreProc
highlight default link newsmarkFrontMatterKey Label

let b:current_syntax = 'newsmark'
