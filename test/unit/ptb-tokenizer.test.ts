/**
 * The PTB tokenizer (src/eval/ptb-tokenizer.ts) on caption-like sentences. The expected strings are what
 * pycocoevalcap's tokenization produces: CoreNLP 3.4.1's PTBLexer with the options pycocoevalcap passes
 * (-preserveLines -lowerCase), run on these lines as one file, then its PUNCTUATIONS filter.
 */
import { describe, expect, it } from 'vitest';
import { PTB_PUNCTUATION, ptbTokenize, ptbTokenizeAll } from '../../src/eval/ptb-tokenizer';

const CASES: [raw: string, tokenized: string][] = [
  ["A man riding a wave on top of a surfboard.", "a man riding a wave on top of a surfboard"],
  ["Two dogs, one brown and one white, play.", "two dogs one brown and one white play"],
  ["The cat's toy isn't on the table!", "the cat 's toy is n't on the table"],
  ["A man's hat and a woman's purse.", "a man 's hat and a woman 's purse"],
  ["The dogs' toys are on the floor.", "the dogs toys are on the floor"],
  ["They're playing frisbee; it's fun.", "they 're playing frisbee it 's fun"],
  ["I'm sure we've seen this, haven't we?", "i 'm sure we 've seen this have n't we"],
  ["He'll be there and she'd go too.", "he 'll be there and she 'd go too"],
  ["You can't do that, won't you?", "you ca n't do that wo n't you"],
  ["Don't touch the kid's bike.", "do n't touch the kid 's bike"],
  ["It cannot be seen.", "it can not be seen"],
  ["We're gonna need a bigger boat.", "we 're gon na need a bigger boat"],
  ["I wanna go, gotta run, lemme see, gimme that.", "i wan na go got ta run lem me see gim me that"],
  ["A black-and-white photo of a 10-year-old boy in a t-shirt.", "a black-and-white photo of a 10-year-old boy in a t-shirt"],
  ["A x-ray of a hand.", "a x-ray of a hand"],
  ["A sign that says \"STOP\" on a pole.", "a sign that says stop on a pole"],
  ["A sign that says 'Do not enter'.", "a sign that says do not enter"],
  ["A “fancy” cake with ‘sprinkles’ on it.", "a fancy cake with sprinkles on it"],
  ["The cat’s bowl isn’t full.", "the cat 's bowl is n't full"],
  ["A dog (brown) sitting on a [red] couch {with pillows}.", "a dog -lrb- brown -rrb- sitting on a -lsb- red -rsb- couch -lcb- with pillows -rcb-"],
  ["A man -- wearing a hat -- walking.", "a man wearing a hat walking"],
  ["A woman — in a dress — dancing.", "a woman in a dress dancing"],
  ["A cake with 3 1/2 candles and ½ a slice.", "a cake with 3 1/2 candles and 1/2 a slice"],
  ["It is 10:30 and 75° outside, 1,000 people and $5.50 each, 50% off.", "it is 10:30 and 75 ° outside 1,000 people and $ 5.50 each 50 % off"],
  ["A clock that reads 3 o'clock.", "a clock that reads 3 o'clock"],
  ["A bus on Main St. in the U.S. near Mt. Rainier.", "a bus on main st. in the u.s. near mt. rainier"],
  ["Mr. Smith and Dr. Jones at the St. Louis arch.", "mr. smith and dr. jones at the st. louis arch"],
  ["Plates, cups, etc. on the table.", "plates cups etc. on the table"],
  ["A jersey with no. 5 on it.", "a jersey with no. 5 on it"],
  ["A black/white cat and a red/blue car.", "a black/white cat and a red/blue car"],
  ["Wow!! Look at that?! Amazing...", "wow !! look at that ?! amazing"],
  ["A dog. A cat. A bird.", "a dog a cat a bird"],
  ["A man.standing next to a car", "a man.standing next to a car"],
  ["A picture of a sign.The sign is red", "a picture of a sign.the sign is red"],
  ["A plate of food & drinks at AT&T park.", "a plate of food & drinks at at&t park"],
  ["A person with an e-mail on a laptop @home #fun", "a person with an e-mail on a laptop @home #fun"],
  ["The 1990's style car.", "the 1990 's style car"],
  ["A 2nd floor window with 4x4 panes.", "a 2nd floor window with 4x4 panes"],
  ["A sign with the letter A.", "a sign with the letter a."],
  ["A man with a sign saying: hello; goodbye.", "a man with a sign saying hello goodbye"],
  ["Some ***stars*** and ___ lines.", "some *** stars *** and ___ lines"],
  ["A sign at www.example.com with a url http://foo.bar/baz.", "a sign at www.example.com with a url http://foo.bar/baz"],
  ["Rock 'n' roll band playing y'all.", "rock 'n' roll band playing y' all"],
  ["A DOG'S LIFE ISN'T EASY.", "a dog 's life is n't easy"],
  ["CAN'T STOP WON'T STOP", "ca n't stop wo n't stop"],
  ["A café with crème brûlée.", "a café with crème brûlée"],
  ["A naïve résumé on the desk.", "a naïve résumé on the desk"],
  ["A baby's 1st birthday 🎂 party.", "a baby 's 1st birthday party"],
  ["A cat :) on the bed :( today.", "a cat :-rrb- on the bed :-lrb- today"],
  ["A group of people (some of them kids) at a park.", "a group of people -lrb- some of them kids -rrb- at a park"],
  ["A \"smart\" phone.", "a smart phone"],
  ["An \"old-fashioned\" clock.", "an old-fashioned clock"],
  ["The word ''hello'' on a sign.", "the word hello on a sign"],
  ["A ``quoted'' phrase.", "a quoted phrase"],
  ["Trains, planes, and automobiles.", "trains planes and automobiles"],
  ["Is this a dog? Yes.", "is this a dog yes"],
  ["A couple of kids' toys.", "a couple of kids toys"],
  ["Jesus' cross on the wall.", "jesus cross on the wall"],
  ["A man in his 20s with a 90s style.", "a man in his 20s with a 90s style"],
  ["A 12/25/2010 date on the sign.", "a 12/25/2010 date on the sign"],
  ["A 3.5 inch screen and 1.5-inch pipe.", "a 3.5 inch screen and 1.5-inch pipe"],
  ["A sign reading -5 degrees and +3 points.", "a sign reading -5 degrees and +3 points"],
  ["A 24/7 store.", "a 24/7 store"],
  ["A 5'10\" man.", "a 5 10 man"],
  ["A man is holding a 2-by-4.", "a man is holding a 2-by-4"],
  ["A so-called \"expert\".", "a so-called expert"],
  ["A dog, a cat; and a mouse: all friends.", "a dog a cat and a mouse all friends"],
  ["Ain't nothing but a hound dog.", "ai n't nothing but a hound dog"],
  ["A woman's and a man's hands.", "a woman 's and a man 's hands"],
  ["Looking at the dog'sbone.", "looking at the dog sbone"],
  ["It's the dog's.", "it 's the dog 's"],
  ["A sign that says 'it's'.", "a sign that says it 's"],
  ["'Twas the night before Christmas.", "'t was the night before christmas"],
  ["'Tis the season.", "'t is the season"],
  ["Hello, World!", "hello world"],
  ["A shop that sells B&W photos and b&w prints.", "a shop that sells b&w photos and b & w prints"],
  ["The U.K. flag and the E.U. flag.", "the u.k. flag and the e.u. flag"],
  ["This is Ph.D. material.", "this is ph.d. material"],
  ["a man on a skateboard .", "a man on a skateboard"],
  ["a group of people standing around a table with food on it", "a group of people standing around a table with food on it"],
  ["A man and woman sit on a bench ... looking at the water", "a man and woman sit on a bench looking at the water"],
  ["A kite flying in the sky . . .", "a kite flying in the sky"],
  ["A woman holding an umbrella in the rain-soaked street.", "a woman holding an umbrella in the rain-soaked street"],
  ["A pizza with pepperoni, mushrooms,and olives.", "a pizza with pepperoni mushrooms and olives"],
  ["There are two giraffes,one is eating.", "there are two giraffes one is eating"],
  ["A close up of a sandwich with ham , cheese and lettuce", "a close up of a sandwich with ham cheese and lettuce"],
  ["Some people are standing around at the train station.  ", "some people are standing around at the train station"],
  ["A TV in the living room", "a tv in the living room"],
  ["An old-time photo of a baseball team.", "an old-time photo of a baseball team"],
  ["A hot dog with ketchup/mustard.", "a hot dog with ketchup/mustard"],
  ["The table has: a cup, a plate.", "the table has a cup a plate"],
  ["What's that? It's a bird!", "what 's that it 's a bird"],
  ["The bird's-eye view of a city.", "the bird 's eye view of a city"],
  ["Mother-in-law's tongue plant.", "mother-in-law 's tongue plant"],
  ["The Smiths' house and the Jones's car.", "the smiths house and the jones 's car"],
  ["A sign for McDonald's restaurant.", "a sign for mcdonald 's restaurant"],
  ["It's 5 o'clock somewhere.", "it 's 5 o'clock somewhere"],
  ["A picture of John's and Mary's dog.", "a picture of john 's and mary 's dog"],
  ["She's got a dog that's brown.", "she 's got a dog that 's brown"],
  ["He'd've gone.", "he 'd 've gone"],
  ["Y'know what I mean?", "y' know what i mean"],
  ["A man wearing a ball cap, jeans,and a t shirt.", "a man wearing a ball cap jeans and a t shirt"],
  ["Three people.Two women and a man.", "three people.two women and a man"],
  ["A red fire-hydrant next to a ( sidewalk ).", "a red fire-hydrant next to a -lrb- sidewalk -rrb-"],
  ["A sign with #1 and @ symbols.", "a sign with # 1 and @ symbols"],
  ["A pair of scissors ~ on a table | with a ^ mark.", "a pair of scissors ~ on a table | with a ^ mark"],
  ["A man with a  backpack - and a hat.", "a man with a backpack and a hat"],
  ["A yellow school bus -- parked.", "a yellow school bus parked"],
  ["A jet------flying", "a jet ------ flying"],
  ["Numbers 1-2-3 on a board.", "numbers 1-2-3 on a board"],
  ["A 100-year-old tree.", "a 100-year-old tree"],
  ["A co-op grocery and a pre-K class.", "a co-op grocery and a pre-k class"],
  ["A teddy bear for sale: $19.99!", "a teddy bear for sale $ 19.99"],
  ["Is that a U.S. Navy ship?", "is that a u.s. navy ship"],
  ["An N.Y.P.D. officer on duty.", "an n.y.p.d. officer on duty"],
  ["A 4-way stop.", "a 4-way stop"],
  ["A man in a No. 9 shirt.", "a man in a no. 9 shirt"],
  ["A no. 2 pencil.", "a no. 2 pencil"],
  ["The number No.7 on a shirt.", "the number no. 7 on a shirt"],
  ["He said, \"Hi.\"", "he said hi"],
  ["\"Hi,\" he said.", "hi he said"],
  ["'Hello,' she said.", "hello she said"],
  ["The dog is 'happy'.", "the dog is happy"],
  ["A sign that reads \"Don't walk\".", "a sign that reads do n't walk"],
  ["An airplane's wing.", "an airplane 's wing"],
  ["The cats’ toys.", "the cats toys"],
  ["It’s raining, isn’t it?", "it 's raining is n't it"],
  ["I’d say it’s the boys’ room.", "i 'd say it 's the boys room"],
];

describe('PTB tokenizer, as pycocoevalcap applies it', () => {
  it.each(CASES)('%s', (raw, tokenized) => {
    expect(ptbTokenize(raw)).toBe(tokenized);
  });

  it('tokenizes all of them as one stream, a line per caption', () => {
    expect(ptbTokenizeAll(CASES.map(([raw]) => raw))).toEqual(CASES.map(([, tokenized]) => tokenized));
  });

  it('keeps one (possibly empty) result per caption', () => {
    expect(ptbTokenizeAll(['', '...', 'A dog.', '  '])).toEqual(['', '', 'a dog', '']);
    expect(ptbTokenizeAll([])).toEqual(['']); // like pycocoevalcap: an empty file is one empty line
  });

  it('treats a line break inside a caption as a space (pycocoevalcap replaces "\\n"; "\\r" would shift lines in Java)', () => {
    expect(ptbTokenizeAll(['a dog\non a bed', 'a cat\r\nsleeping'])).toEqual(['a dog on a bed', 'a cat sleeping']);
  });

  it('looks past the end of a line the way the Java lexer does', () => {
    // A smiley needs a following character: a line break counts, the end of the input does not.
    expect(ptbTokenizeAll(['a dog :)', 'a cat :)'])).toEqual(['a dog :-rrb-', 'a cat -rrb-']);
  });

  it('removes exactly the PUNCTUATIONS tokens of pycocoevalcap, after lower-casing', () => {
    expect(PTB_PUNCTUATION.size).toBe(17);
    // "(" becomes -LRB- and then -lrb-, which the upper-case list entry no longer matches.
    expect(ptbTokenize('A (red) bus?!')).toBe('a -lrb- red -rrb- bus ?!');
  });

  it('differs from Java where documented: a single letter before a sentence starter keeps its period', () => {
    // CoreNLP gives "plan b the next step" (its list of ~50 capitalised words after an acronym).
    expect(ptbTokenize('Plan B. The next step.')).toBe('plan b. the next step');
  });
});
