// KaTeX and its style sheet, in a chunk of their own: loaded with the first formula shown.
import 'katex/dist/katex.min.css';
import katex from 'katex';

export default katex;
